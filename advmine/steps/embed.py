"""Embed, once per build, every text a later step compares: the selection texts of each row (when the selector
needs vectors) and, when contamination is checked, each row's whole-example document and the evaluation sets'
documents. The vectors go into a `VectorStore` saved in this step's folder (the rows pass through unchanged);
the select and contamination steps read it and build no embedder of their own.

Texts are embedded through the embedding cache per split (selection texts) and per evaluation task and
language (documents). The selection vectors are the values the select step computed before; the documents are
now embedded before selection, over every row, so a neural embedder batches them with other texts than the
contamination step did and their vectors can differ in the last float32 bits (<= 2.4e-7 in `contamination_sim`
on the demo; flags unchanged)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from datasets import DatasetDict

from advmine.config import BuildConfig
from advmine.embedders import EmbedConfig, embed_texts, make_embedder
from advmine.pipeline import Shared, Step, StepStats
from advmine.steps.contamination import EvalSets, contamination_wanted
from advmine.steps.load import LoadStep
from advmine.steps.select import needs_source, needs_vectors
from advmine.vectors import VectorStore
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task


def _e5_files(cfg: EmbedConfig) -> list[Path]:
    from stilts.models.e5_small import image_path

    return [] if cfg.model_id else [image_path()]


# embedder -> the local model files its vectors depend on (their content enters the step's key)
MODEL_FILES: dict[str, Callable[[EmbedConfig], list[Path]]] = {"e5-small": _e5_files}


class EmbedStep(Step):
    name = "embed"
    keeps_rows = True
    artefact = VectorStore

    @dataclass(frozen=True)
    class Config:
        task: str
        embed: EmbedConfig
        selection: bool                  # embed each row's selection texts (the selector needs vectors)
        eval_sets: EvalSets | None       # embed row and evaluation documents (contamination is checked)
        source: LoadStep.Config | None = None   # embed the English source rows' selection texts too (the
                                                # reference and the adequacy diagnostics read them)

    config: Config

    @classmethod
    def configure(cls, cfg: BuildConfig) -> EmbedStep.Config:
        return cls.Config(cfg.task, cfg.embed, needs_vectors(cfg.select),
                          EvalSets.of(cfg) if contamination_wanted(cfg) else None,
                          LoadStep.configure(cfg) if needs_source(cfg.select) else None)

    def inputs(self) -> list[Path]:
        files = MODEL_FILES.get(self.config.embed.name)
        return files(self.config.embed) if files else []

    @classmethod
    def card(cls, stats: StepStats, config: EmbedStep.Config) -> list[str]:
        return ["", "## Embeddings", "", f"`{config.embed.name}` ({stats.info.get('model_id', '')}): "
                f"{stats.info.get('vectors', 0)} distinct texts, each embedded once and read by the later steps."]

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared) -> DatasetDict:
        c = self.config
        kind = get_kind(get_task(c.task).kind)
        embedder = make_embedder(c.embed)
        calls_before = getattr(embedder, "calls", None)
        vectors: dict[str, np.ndarray] = {}

        def embed(texts: list[str], desc: str) -> dict[str, np.ndarray]:
            vec = embed_texts(texts, embedder, self.ctx.cache_dir, desc=desc)
            vectors.update(vec)
            return vec

        sources = LoadStep(c.source, self.ctx).run(None, StepStats("load")) if c.source else {}
        for split, ds in data.items():
            rows = ds.to_list()
            seen: dict[str, np.ndarray] = {}
            if c.selection:
                seen.update(embed([t for r in rows for t in kind.texts_to_embed(r)], f"embed {split}"))
            if split in sources:
                seen.update(embed([t for r in sources[split].to_list() for t in kind.texts_to_embed(r)],
                                  f"embed {split} (English source)"))
            docs = [kind.document(r) for r in rows] if c.eval_sets else []
            for task in c.eval_sets.tasks if c.eval_sets else ():
                for lang in c.eval_sets.langs(task, rows):
                    eval_docs, _ = c.eval_sets.documents(task, lang)   # unavailable: the contamination step says
                    if eval_docs is not None:
                        seen.update(embed(eval_docs + [d for d, r in zip(docs, rows) if r["lang"] == lang],
                                          f"embed {task}/{lang}"))
            stats.info[split] = {"texts": len(seen), "dim": int(next(iter(seen.values())).shape[0]) if seen else 0}
        shared.put(self.name, VectorStore.from_mapping(vectors))
        stats.info.update(model_id=embedder.model_id(), vectors=len(vectors))
        if calls_before is not None:
            stats.info["model_calls"] = embedder.calls - calls_before
        return data
