"""Keep the hardest `budget` rows of each language by a selector's score (kept as `score_<selector>`), in the
candidates' label proportions unless `stratify` is off (advmine.stratify). A selector that needs vectors (its
registry entry's `needs`) reads those the embed step computed; one that needs the reference
(advmine.reference) gets it per language group. With `diagnostics` (the default) every subset is described
beside its candidates (advmine.diagnostics) and the rows keep `adequacy` and `reference_p_gold` columns."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from datasets import DatasetDict, Value

from advmine.adequacy import adequacy, english_kept
from advmine.config import BuildConfig
from advmine.diagnostics import GroupFacts, card_lines, subset_diagnostics
from advmine.pipeline import Context, Shared, Step, StepStats
from advmine.points import build_points
from advmine.reference import NAME as REFERENCE_NAME
from advmine.reference import GroupReference, ProbeSettings, Reference, cross_fit
from advmine.selectors import SELECTORS, SelectConfig, budget_count, get_selector, require_reference, scored
from advmine.steps.load import LoadStep
from advmine.stratify import stratified_take
from advmine.vectors import VectorStore
from stilts.core.kinds import TaskKind, get_kind
from stilts.core.tasks import get_task


def _tiebreak(ids: list[str]) -> np.ndarray:
    return np.array([int(hashlib.sha1(i.encode()).hexdigest()[:8], 16) for i in ids])


def needs_vectors(select: SelectConfig | None) -> bool:
    """Whether the build embeds for selection: the selector reads vectors, or the diagnostics do."""
    return select is not None and ("vectors" in SELECTORS.get(select.name).needs or select.diagnostics)


def needs_source(select: SelectConfig | None) -> bool:
    """Whether selection reads the English source rows (the reference, adequacy): then the embed step embeds them."""
    return select is not None and ("reference" in SELECTORS.get(select.name).needs or select.diagnostics)


def data_map_file(split: str, lang: str) -> str:
    return f"datamap_{split}_{lang}.png"


class SelectStep(Step):
    name = "select"

    @dataclass(frozen=True)
    class Config:
        task: str
        select: SelectConfig
        seed: int
        source: LoadStep.Config | None = None   # the English source, re-loaded (reference and adequacy)

    config: Config

    @classmethod
    def configure(cls, cfg: BuildConfig) -> SelectStep.Config:
        return cls.Config(cfg.task, cfg.select, cfg.seed, LoadStep.configure(cfg) if needs_source(cfg.select) else None)

    @classmethod
    def wanted(cls, cfg: BuildConfig) -> bool:
        return cfg.select is not None

    def __init__(self, config: SelectStep.Config, ctx: Context | None = None):
        super().__init__(config, ctx)
        self.scorer = get_selector(config.select.name)
        self.entry = SELECTORS.get(config.select.name)
        self.uses = ("embed",) if needs_vectors(config.select) else ()

    @staticmethod
    def column(select: SelectConfig) -> str:
        return "score_" + select.name.replace("-", "_")

    @classmethod
    def card(cls, stats: StepStats, config: SelectStep.Config) -> list[str]:
        sel = config.select
        strat = "label-stratified (each class keeps its share of the candidates)" if sel.stratify else "unstratified"
        lines = ["", f"## Selection: `{sel.name}`, budget {sel.budget} per language, {strat}", "",
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
        maps = [(split, lang, d) for split, per in stats.info.items() for lang, d in per.items() if d.get("data_map")]
        if maps:
            d0 = maps[0][2]
            lines += ["", f"Data maps (Dataset Cartography; {d0['epochs']} epochs of a "
                      "softmax-regression probe on the English source's frozen vectors; region "
                      f"`{d0['region']}`; columns `cartography_confidence`, `cartography_variability`, "
                      "`cartography_correctness`):", ""]
            lines += [f"![data map {split}/{lang}]({data_map_file(split, lang)})" for split, lang, _ in maps]
        floors = [(split, lang, d) for split, per in stats.info.items() for lang, d in per.items()
                  if "below_floor" in d]
        if floors:
            lines += ["", "Rows below the adequacy floor rank after every faithful row (columns `xl_drop`, "
                      "`xl_flip`):", ""]
            lines += [f"* {split}/{lang}: floor {d['adequacy_floor']:.3f}, {d['below_floor']} of {d['rows']} rows "
                      "below it" for split, lang, d in floors]
        diag = {split: {lang: d["diagnostics"] for lang, d in per.items() if "diagnostics" in d}
                for split, per in stats.info.items()}
        if any(diag.values()):
            lines += card_lines(diag)
        return lines

    def _sources(self) -> dict[str, list[dict]]:
        if self.config.source is None:
            return {}
        return {split: ds.to_list() for split, ds in
                LoadStep(self.config.source, self.ctx).run(None, StepStats("load")).items()}

    def _reference(self, src_rows: list[dict], kind: TaskKind, vectors: VectorStore | None) -> Reference | None:
        labelled = [r for r in src_rows if r["label"] >= 0]
        if not kind.references or vectors is None or len(labelled) < self.config.select.folds * 2:
            return None
        vec = vectors.lookup([t for r in labelled for t in kind.texts_to_embed(r)])
        x = np.stack([kind.reference_features(r, vec) for r in labelled]).astype(np.float64)
        y = np.array([r["label"] for r in labelled])
        n_classes = len(get_task(self.config.task).labels or []) or int(y.max()) + 1
        sel = self.config.select
        return cross_fit([r["id"] for r in labelled], x, y, n_classes,
                         ProbeSettings(epochs=sel.epochs, folds=sel.folds, seed=self.config.seed))

    def _facts(self, group: list[dict], src_by_id: dict[str, dict], kind: TaskKind, vectors: VectorStore | None,
               ref: Reference | None, dyn: dict) -> tuple[GroupFacts, GroupReference | None]:
        orig = [r.get("orig_id") or r["id"] for r in group]
        sources = [src_by_id.get(o) for o in orig]
        n = len(group)
        if vectors is not None and src_by_id:
            adeq, floor = adequacy(group, sources, kind.texts_to_embed, vectors.stack, self.config.seed)
        else:
            adeq, floor = np.full(n, np.nan), float("nan")
        kept, same = english_kept(group, sources, kind.texts_to_embed)
        chars = np.array([sum(len(t) for t in kind.texts_to_embed(r)) for r in group], dtype=float)
        langid = np.array([np.nan if r.get("langid_ok") is None else float(r["langid_ok"]) for r in group]) \
            if group and "langid_ok" in group[0] else None
        strata = np.array([kind.stratum(r) for r in group]) if group and kind.stratum(group[0]) is not None else None
        names = list(get_task(self.config.task).labels or []) if kind.references else []
        facts = GroupFacts(strata, names, chars, adeq, floor, kept, same, langid, None, None, None, None)
        if ref is None:
            return facts, None
        gold = np.array([r["label"] for r in group])
        vec = vectors.lookup([t for r in group for t in kind.texts_to_embed(r)])
        x = np.stack([kind.reference_features(r, vec) for r in group]).astype(np.float64)
        p_row, p_src = ref.proba_of(orig, x), ref.source_proba(orig)
        idx, g = np.arange(n), np.maximum(gold, 0)
        unknown = (gold < 0) | np.isnan(p_row[:, 0])
        pick = lambda p: np.where(unknown | np.isnan(p[idx, g]), np.nan, p[idx, g])  # noqa: E731
        facts.p_gold_row, facts.p_gold_src = pick(p_row), pick(p_src)
        facts.correct_row = np.where(unknown, np.nan, (np.nan_to_num(p_row).argmax(1) == gold).astype(float))
        facts.reference = {"name": REFERENCE_NAME + f" ({kind.name} features)", "accuracy": round(ref.accuracy, 4),
                           "folds": ref.settings.folds}
        src = np.array([ref.index.get(o, -1) for o in orig])
        return facts, GroupReference(ref, src, g, np.nan_to_num(p_row, nan=1 / p_row.shape[1]),
                                     np.nan_to_num(p_src, nan=1 / p_src.shape[1]), adeq, floor, dyn)

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared) -> DatasetDict:
        sel, kind_name = self.config.select, get_task(self.config.task).kind
        kind = get_kind(kind_name)
        wants_ref = "reference" in self.entry.needs
        if wants_ref:
            require_reference(sel.name, kind_name)
        vectors: VectorStore | None = shared.get("embed") if self.uses else None
        sources = self._sources()
        out = {}
        for split, ds in data.items():
            rows = ds.to_list()
            src_rows = sources.get(split, [])
            ref = self._reference(src_rows, kind, vectors) if (wants_ref or sel.diagnostics) else None
            src_by_id = {r["id"]: r for r in src_rows}
            dyn: dict = {}
            scores = np.zeros(len(rows))
            columns: dict[str, np.ndarray] = {}
            keep = np.zeros(len(rows), dtype=bool)
            langs = list(dict.fromkeys(r["lang"] for r in rows))
            for lang in langs:
                idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
                group = [rows[i] for i in idx]
                facts, gref = self._facts(group, src_by_id, kind, vectors, ref, dyn)
                points = None
                if "vectors" in self.entry.needs:
                    texts = [t for r in group for t in kind.texts_to_embed(r)]
                    points = build_points(group, kind_name, vectors.lookup(texts))
                extra = {"reference": gref} if wants_ref else {}
                res = scored(self.scorer(points, group, kind_name, sel, self.config.seed, **extra))
                s = res.scores
                n_keep = budget_count(sel.budget, len(group))
                order = np.lexsort((_tiebreak([r["id"] for r in group]), -s))  # hardest first, ties stable
                taken = stratified_take(order, facts.strata if sel.stratify else None, n_keep)
                chosen = np.array(idx, dtype=int)[taken]
                keep[chosen] = True
                scores[idx] = s
                own = {"adequacy": facts.adequacy} if sel.diagnostics else {}
                if sel.diagnostics and facts.p_gold_row is not None:
                    own["reference_p_gold"] = facts.p_gold_row
                for name, col in {**own, **res.columns}.items():
                    columns.setdefault(name, np.full(len(rows), np.nan))[idx] = col
                finite = s[np.isfinite(s)]
                q = np.quantile(finite, [0, 0.25, 0.5, 0.75, 1]).round(4).tolist() if len(finite) else []
                notes = dict(res.notes)
                if "data_map" in notes:
                    chosen_set = set(taken.tolist())
                    notes["data_map"]["selected"] = [i in chosen_set for i in notes["data_map"]["rows"]]
                info = {"rows": len(group), "selected": int(len(taken)), "quantiles": q,
                        "mean_all": round(float(finite.mean()), 4) if len(finite) else 0.0,
                        "mean_selected": round(float(np.mean(s[taken][np.isfinite(s[taken])])), 4)
                        if len(taken) else 0.0, **notes}
                if sel.diagnostics:
                    info["diagnostics"] = subset_diagnostics(facts, taken, self.config.seed)
                stats.info.setdefault(split, {})[lang] = info
                stats.drop(f"not_selected:{lang}", len(group) - int(len(taken)))
            selected = ds
            if len(rows):
                selected = ds.add_column(self.column(sel), scores.astype(float).tolist(), feature=Value("float32"))
                for name, col in columns.items():
                    selected = selected.add_column(name, col.astype(float).tolist(), feature=Value("float32"))
            out[split] = selected.select(np.flatnonzero(keep).tolist())
        return DatasetDict(out)
