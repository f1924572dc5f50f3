"""Keep the hardest `budget` rows of each language by a selector's score (kept as `score_<selector>`). A
selector that needs vectors (its registry entry's `needs`) reads those the embed step computed."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from datasets import DatasetDict, Value

from advmine.config import BuildConfig
from advmine.pipeline import Context, Shared, Step, StepStats
from advmine.points import build_points
from advmine.selectors import SELECTORS, SelectConfig, budget_count, get_selector, scores_and_notes
from advmine.vectors import VectorStore
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task


def _tiebreak(ids: list[str]) -> np.ndarray:
    return np.array([int(hashlib.sha1(i.encode()).hexdigest()[:8], 16) for i in ids])


def needs_vectors(select: SelectConfig | None) -> bool:
    return select is not None and "vectors" in SELECTORS.get(select.name).needs


class SelectStep(Step):
    name = "select"

    @dataclass(frozen=True)
    class Config:
        task: str
        select: SelectConfig
        seed: int

    config: Config

    @classmethod
    def configure(cls, cfg: BuildConfig) -> SelectStep.Config:
        return cls.Config(cfg.task, cfg.select, cfg.seed)

    @classmethod
    def wanted(cls, cfg: BuildConfig) -> bool:
        return cfg.select is not None

    def __init__(self, config: SelectStep.Config, ctx: Context | None = None):
        super().__init__(config, ctx)
        self.scorer = get_selector(config.select.name)
        self.uses = ("embed",) if needs_vectors(config.select) else ()

    @staticmethod
    def column(select: SelectConfig) -> str:
        return "score_" + select.name.replace("-", "_")

    @classmethod
    def card(cls, stats: StepStats, config: SelectStep.Config) -> list[str]:
        sel = config.select
        lines = ["", f"## Selection: `{sel.name}`, budget {sel.budget} per language", "",
                 f"Scores are kept in `{cls.column(sel)}` (higher = harder). Distribution over all candidate rows "
                 "of each language, and the mean over the rows kept:", "",
                 "| split | lang | rows | kept | min | p25 | median | p75 | max | mean all | mean kept |",
                 "|---|---|---|---|---|---|---|---|---|---|---|"]
        for split, per in stats.info.items():
            for lang, d in per.items():
                q = d["quantiles"] or [0] * 5
                cells = [d["rows"], d["selected"], *(f"{x:.3f}" for x in q), f"{d['mean_all']:.3f}",
                         f"{d['mean_selected']:.3f}"]
                lines.append(f"| {split} | {lang} | " + " | ".join(map(str, cells)) + " |")
        found = [(split, lang, d["neighbours"]) for split, per in stats.info.items() for lang, d in per.items()
                 if d.get("neighbours")]
        if found:
            lines += ["", "Nearest neighbours, per language group:", ""]
            lines += [f"* {split}/{lang}: {how}" for split, lang, how in found]
        return lines

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared) -> DatasetDict:
        sel, kind = self.config.select, get_task(self.config.task).kind
        vectors: VectorStore | None = shared.get("embed") if self.uses else None
        out = {}
        for split, ds in data.items():
            rows = ds.to_list()
            scores = np.zeros(len(rows))
            keep = np.zeros(len(rows), dtype=bool)
            langs = list(dict.fromkeys(r["lang"] for r in rows))
            for lang in langs:
                idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
                group = [rows[i] for i in idx]
                points = None
                if vectors is not None:
                    texts = [t for r in group for t in get_kind(kind).texts_to_embed(r)]
                    points = build_points(group, kind, vectors.lookup(texts))
                s, notes = scores_and_notes(self.scorer(points, group, kind, sel, self.config.seed))
                n_keep = budget_count(sel.budget, len(group))
                order = np.lexsort((_tiebreak([r["id"] for r in group]), -s))  # hardest first, ties stable
                chosen = np.array(idx)[order[:n_keep]]
                keep[chosen] = True
                scores[idx] = s
                q = np.quantile(s, [0, 0.25, 0.5, 0.75, 1]).round(4).tolist() if len(s) else []
                stats.info.setdefault(split, {})[lang] = {
                    "rows": len(group), "selected": int(n_keep), "quantiles": q,
                    "mean_all": round(float(s.mean()), 4) if len(s) else 0.0,
                    "mean_selected": round(float(s[order[:n_keep]].mean()), 4) if n_keep else 0.0, **notes}
                stats.drop(f"not_selected:{lang}", len(group) - int(n_keep))
            selected = ds.add_column(self.column(sel), scores.astype(float).tolist(), feature=Value("float32")) \
                if len(rows) else ds
            out[split] = selected.select(np.flatnonzero(keep).tolist())
        return DatasetDict(out)
