"""Embed every text the selection and contamination steps will look at, through the embedding cache.

The vectors live in the cache (keyed by embedder, model id and text), not in the dataset, so this step passes
the rows through unchanged and is not saved: rerunning it costs one cache lookup per text."""
from __future__ import annotations

from datasets import DatasetDict

from advmine.config import BuildConfig
from advmine.embedders import embed_texts, make_embedder
from advmine.pipeline import Step, StepStats
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task


class EmbedStep(Step):
    name = "embed"
    persist = False

    def __init__(self, cfg: BuildConfig):
        self.cfg = cfg
        self.kind = get_kind(get_task(cfg.task).kind)
        self.embedder = make_embedder(cfg.embed)

    def config(self) -> dict:
        return {"embedder": self.cfg.embed.name, "model_id": self.embedder.model_id()}

    def run(self, data: DatasetDict | None, stats: StepStats) -> DatasetDict:
        calls_before = getattr(self.embedder, "calls", None)
        for split, ds in data.items():
            texts = [t for r in ds.to_list() for t in self.kind.texts_to_embed(r)]
            vec = embed_texts(texts, self.embedder, self.cfg.cache_dir, desc=f"embed {split}")
            stats.info[split] = {"texts": len(vec), "dim": int(next(iter(vec.values())).shape[0]) if vec else 0}
        stats.info["model_id"] = self.embedder.model_id()
        if calls_before is not None:
            stats.info["model_calls"] = self.embedder.calls - calls_before
        return data
