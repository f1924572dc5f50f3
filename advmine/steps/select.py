"""Keep the hardest `budget` rows of each language by a selector's score (kept as `score_<selector>`)."""
from __future__ import annotations

import hashlib

import numpy as np
from datasets import DatasetDict, Value

from advmine.config import BuildConfig
from advmine.embedders import embed_texts, make_embedder
from advmine.pipeline import Step, StepStats
from advmine.points import build_points
from advmine.selectors import SELECTORS, budget_count, get_selector
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task


def _tiebreak(ids: list[str]) -> np.ndarray:
    return np.array([int(hashlib.sha1(i.encode()).hexdigest()[:8], 16) for i in ids])


class SelectStep(Step):
    name = "select"

    def __init__(self, cfg: BuildConfig):
        self.cfg, self.sel = cfg, cfg.select
        self.kind = get_task(cfg.task).kind
        self.scorer = get_selector(self.sel.name)
        self.column = "score_" + self.sel.name.replace("-", "_")

    def config(self) -> dict:
        import dataclasses
        return {"select": dataclasses.asdict(self.sel), "seed": self.cfg.seed}

    def run(self, data: DatasetDict | None, stats: StepStats) -> DatasetDict:
        embedder = make_embedder(self.cfg.embed) if "vectors" in SELECTORS.get(self.sel.name).needs else None
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
                if embedder is not None:
                    vec = embed_texts([t for r in group for t in get_kind(self.kind).texts_to_embed(r)], embedder,
                                      self.cfg.cache_dir, desc=f"vectors {lang}")
                    points = build_points(group, self.kind, vec)
                s = self.scorer(points, group, self.kind, self.sel, self.cfg.seed)
                n_keep = budget_count(self.sel.budget, len(group))
                order = np.lexsort((_tiebreak([r["id"] for r in group]), -s))  # hardest first, ties stable
                chosen = np.array(idx)[order[:n_keep]]
                keep[chosen] = True
                scores[idx] = s
                q = np.quantile(s, [0, 0.25, 0.5, 0.75, 1]).round(4).tolist() if len(s) else []
                stats.info.setdefault(split, {})[lang] = {
                    "rows": len(group), "selected": int(n_keep), "quantiles": q,
                    "mean_all": round(float(s.mean()), 4) if len(s) else 0.0,
                    "mean_selected": round(float(s[order[:n_keep]].mean()), 4) if n_keep else 0.0}
                stats.drop(f"not_selected:{lang}", len(group) - int(n_keep))
            selected = ds.add_column(self.column, scores.astype(float).tolist(), feature=Value("float32")) \
                if len(rows) else ds
            out[split] = selected.select(np.flatnonzero(keep).tolist())
        return DatasetDict(out)
