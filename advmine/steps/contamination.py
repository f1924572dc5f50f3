"""Near-duplicate and contamination check against the evaluation sets of the XTREME(-R) target tasks.

For every target task whose languages meet the build's, its evaluation split is loaded in each shared
language from the build's own source (hub, data dir or kit); both sides are compared as whole examples
(their text fields joined), with the vectors the embed step computed, and each built row's nearest evaluation
example is found with faiss. Rows at or above the cosine threshold are flagged (`contamination`,
`contamination_sim`) or dropped. A task that the source cannot serve is listed as unavailable, never silently
skipped."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np
from datasets import DatasetDict, Value

from advmine.config import BuildConfig
from advmine.knn import build_index, search
from advmine.pipeline import Context, Shared, Step, StepStats
from advmine.vectors import VectorStore
from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task, list_tasks, load


def target_tasks(cfg: BuildConfig) -> list[str]:
    if cfg.contamination in ("auto", "all"):
        langs = set(cfg.langs) | ({cfg.src_lang} if cfg.include_source else set())
        return [t.name for t in list_tasks() if t.role == "target" and langs & set(t.languages)]
    return [t.strip() for t in cfg.contamination.split(",") if t.strip()]


@dataclass(frozen=True)
class EvalSets:
    """The evaluation sets built rows are compared with, and where they are read from."""
    tasks: tuple[str, ...]
    source: str
    data_dir: str | None

    @classmethod
    def of(cls, cfg: BuildConfig) -> EvalSets:
        return cls(tuple(target_tasks(cfg)), cfg.source, cfg.data_dir)

    def langs(self, task: str, rows: list[dict]) -> list[str]:
        """The languages of `rows` that `task` has, in a stable order."""
        return sorted({r["lang"] for r in rows} & set(get_task(task).languages))

    def documents(self, task: str, lang: str) -> tuple[list[str] | None, str]:
        """The task's evaluation examples in `lang` as whole-example texts, or None and why not."""
        return _documents(task, lang, self.source, self.data_dir)


@functools.lru_cache(maxsize=64)
def _documents(task: str, lang: str, source: str, data_dir: str | None) -> tuple[list[str] | None, str]:
    """Read once per process: the embed step and the contamination step both ask for the same sets."""
    spec = get_task(task)
    try:
        ds = load(spec, spec.eval_split or spec.splits[-1], lang, source=source, data_dir=data_dir)
    except StiltsError as e:
        return None, str(e)[:160]
    kind = get_kind(spec.kind)
    return [kind.document(r) for r in ds.to_list()], ""


def contamination_wanted(cfg: BuildConfig) -> bool:
    """`auto` checks selected builds only; `all` or a task list always; `off` never."""
    return cfg.contamination != "off" and (cfg.select is not None or cfg.contamination != "auto")


class ContaminationStep(Step):
    name = "contamination"
    uses = ("embed",)

    @dataclass(frozen=True)
    class Config:
        task: str
        eval_sets: EvalSets
        mode: Literal["flag", "drop"]
        threshold: float

    config: Config

    @classmethod
    def configure(cls, cfg: BuildConfig) -> ContaminationStep.Config:
        return cls.Config(cfg.task, EvalSets.of(cfg), cfg.contamination_mode, cfg.contamination_threshold)

    @classmethod
    def wanted(cls, cfg: BuildConfig) -> bool:
        return contamination_wanted(cfg)

    def __init__(self, config: ContaminationStep.Config, ctx: Context | None = None):
        super().__init__(config, ctx)
        for t in config.eval_sets.tasks:   # an unknown task fails before any work
            get_task(t)

    @classmethod
    def card(cls, stats: StepStats, config: ContaminationStep.Config) -> list[str]:
        info = stats.info
        lines = ["", f"## Contamination with evaluation sets (cosine >= {config.threshold}, mode: {config.mode})", "",
                 "| split | target task | lang | eval rows | built rows | flagged | max sim |",
                 "|---|---|---|---|---|---|---|"]
        for d in info.get("table", []):
            lines.append(f"| {d['split']} | {d['task']} | {d['lang']} | {d['eval_rows']} | {d['rows']} | "
                         f"{d['flagged']} | {d['max_sim']:.3f} |")
        if info.get("unavailable"):
            lines += ["", "Not checked (the build's source cannot serve them): " + "; ".join(
                f"{u['task']}/{u['lang']}" for u in info["unavailable"]) + "."]
        return lines

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared) -> DatasetDict:
        c = self.config
        vectors: VectorStore = shared.get("embed")
        kind = get_kind(get_task(c.task).kind)
        table, unavailable = [], []
        out = {}
        for split, ds in data.items():
            rows = ds.to_list()
            docs = [kind.document(r) for r in rows]
            best_sim = np.full(len(rows), -1.0)
            best_task = [""] * len(rows)
            for task in c.eval_sets.tasks:
                for lang in c.eval_sets.langs(task, rows):
                    eval_docs, why = c.eval_sets.documents(task, lang)
                    if eval_docs is None:
                        unavailable.append({"task": task, "lang": lang, "why": why})
                        continue
                    idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
                    index = build_index(vectors.stack(eval_docs), "auto")
                    sims, _ = search(index, vectors.stack([docs[i] for i in idx]), 1)
                    sims = sims[:, 0]
                    flagged = 0
                    for i, s in zip(idx, sims):
                        if s >= c.threshold:
                            flagged += 1
                        if s > best_sim[i]:
                            best_sim[i] = float(s)
                            best_task[i] = task if s >= c.threshold else best_task[i]
                    table.append({"split": split, "task": task, "lang": lang, "eval_rows": len(eval_docs),
                                  "rows": len(idx), "flagged": flagged, "max_sim": round(float(sims.max()), 4)
                                  if len(sims) else 0.0})
            ds = ds.add_column("contamination", best_task).add_column(
                "contamination_sim", best_sim.astype(float).tolist(), feature=Value("float32"))
            if c.mode == "drop":
                for t, lang in {(t, r["lang"]) for t, r in zip(best_task, rows) if t}:
                    stats.drop(f"contaminated:{t}:{lang}", sum(1 for x, r in zip(best_task, rows)
                                                                if x == t and r["lang"] == lang))
                ds = ds.filter(lambda c: c == "", input_columns="contamination", desc="drop contaminated rows")
            out[split] = ds
        stats.info.update(table=table, unavailable=unavailable, threshold=c.threshold, mode=c.mode)
        return DatasetDict(out)
