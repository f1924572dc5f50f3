"""Near-duplicate and contamination check against the evaluation sets of the XTREME(-R) target tasks.

For every target task whose languages meet the build's, its evaluation split is loaded in each shared
language from the build's own source (hub, data dir or kit); both sides are embedded as whole examples
(their text fields joined) and each built row's nearest evaluation example is found with faiss. Rows at or
above the cosine threshold are flagged (`contamination`, `contamination_sim`) or dropped. A task that the
source cannot serve is listed as unavailable, never silently skipped."""
from __future__ import annotations

import numpy as np
from datasets import DatasetDict, Value

from advmine.config import BuildConfig
from advmine.embedders import embed_texts, make_embedder
from advmine.knn import build_index, search
from advmine.pipeline import Step, StepStats
from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task, list_tasks, load


def target_tasks(cfg: BuildConfig) -> list[str]:
    if cfg.contamination in ("auto", "all"):
        langs = set(cfg.langs) | ({cfg.src_lang} if cfg.include_source else set())
        return [t.name for t in list_tasks() if t.role == "target" and langs & set(t.languages)]
    return [t.strip() for t in cfg.contamination.split(",") if t.strip()]


class ContaminationStep(Step):
    name = "contamination"

    def __init__(self, cfg: BuildConfig):
        self.cfg = cfg
        self.kind = get_kind(get_task(cfg.task).kind)
        self.tasks = target_tasks(cfg)
        for t in self.tasks:
            get_task(t)

    def config(self) -> dict:
        c = self.cfg
        return {"tasks": self.tasks, "mode": c.contamination_mode, "threshold": c.contamination_threshold,
                "embedder": c.embed.name, "model_id": c.embed.model_id, "source": c.source, "data_dir": c.data_dir}

    def _eval_docs(self, task: str, lang: str) -> tuple[list[str] | None, str]:
        spec = get_task(task)
        try:
            ds = load(spec, spec.eval_split or spec.splits[-1], lang, source=self.cfg.source, data_dir=self.cfg.data_dir)
        except StiltsError as e:
            return None, str(e)[:160]
        kind = get_kind(spec.kind)
        return [kind.document(r) for r in ds.to_list()], ""

    def run(self, data: DatasetDict | None, stats: StepStats) -> DatasetDict:
        embedder = make_embedder(self.cfg.embed)
        thr = self.cfg.contamination_threshold
        table, unavailable = [], []
        out = {}
        for split, ds in data.items():
            rows = ds.to_list()
            docs = [self.kind.document(r) for r in rows]
            best_sim = np.full(len(rows), -1.0)
            best_task = [""] * len(rows)
            for task in self.tasks:
                for lang in sorted({r["lang"] for r in rows} & set(get_task(task).languages)):
                    eval_docs, why = self._eval_docs(task, lang)
                    if eval_docs is None:
                        unavailable.append({"task": task, "lang": lang, "why": why})
                        continue
                    idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
                    vec = embed_texts(eval_docs + [docs[i] for i in idx], embedder, self.cfg.cache_dir,
                                      desc=f"contamination {task}/{lang}")
                    index = build_index(np.stack([vec[d] for d in eval_docs]), "auto")
                    sims, _ = search(index, np.stack([vec[docs[i]] for i in idx]), 1)
                    sims = sims[:, 0]
                    flagged = 0
                    for i, s in zip(idx, sims):
                        if s >= thr:
                            flagged += 1
                        if s > best_sim[i]:
                            best_sim[i] = float(s)
                            best_task[i] = task if s >= thr else best_task[i]
                    table.append({"split": split, "task": task, "lang": lang, "eval_rows": len(eval_docs),
                                  "rows": len(idx), "flagged": flagged, "max_sim": round(float(sims.max()), 4)
                                  if len(sims) else 0.0})
            ds = ds.add_column("contamination", best_task).add_column(
                "contamination_sim", best_sim.astype(float).tolist(), feature=Value("float32"))
            if self.cfg.contamination_mode == "drop":
                for t, lang in {(t, r["lang"]) for t, r in zip(best_task, rows) if t}:
                    stats.drop(f"contaminated:{t}:{lang}", sum(1 for x, r in zip(best_task, rows)
                                                                if x == t and r["lang"] == lang))
                ds = ds.filter(lambda c: c == "", input_columns="contamination", desc="drop contaminated rows")
            out[split] = ds
        stats.info.update(table=table, unavailable=unavailable, threshold=thr, mode=self.cfg.contamination_mode)
        return DatasetDict(out)
