"""Load the English source task (hub, data dir or kit) into the unified schema; slice and shard it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datasets import Dataset, DatasetDict

from advmine.config import BuildConfig
from advmine.pipeline import Shared, Step, StepStats
from stilts.core.errors import StiltsError
from stilts.core.tasks import get_task, load


class LoadStep(Step):
    name = "load"

    @dataclass(frozen=True)
    class Config:
        task: str
        source: str
        data_dir: str | None
        splits: tuple[str, ...]
        layout: str | None
        variant: str | None
        limit: int | None
        src_lang: str
        skip: int = 0
        num_shards: int = 1
        shard_index: int = 0
        data_files: tuple[str, ...] = ()   # the user's own files (their content enters the key, see `inputs`)
        columns: str | None = None         # read with data_files only
        labels: tuple[str, ...] | None = None

    config: Config

    @classmethod
    def configure(cls, cfg: BuildConfig) -> LoadStep.Config:
        own = bool(cfg.data_files)
        return cls.Config(cfg.task, cfg.source, cfg.data_dir, tuple(cfg.splits), cfg.layout, cfg.variant, cfg.limit,
                          cfg.src_lang, cfg.skip, cfg.num_shards, cfg.shard_index, tuple(cfg.data_files),
                          cfg.columns if own else None, tuple(cfg.labels) if own and cfg.labels else None)

    def inputs(self) -> list[Path]:
        return [Path(f) for f in self.config.data_files]

    def _load(self, split: str) -> Dataset:
        c = self.config
        if not c.data_files:
            return load(c.task, split, c.src_lang, source=c.source, data_dir=c.data_dir, layout=c.layout,
                        variant=c.variant)
        from stilts.core.tasks.custom import load_custom

        spec = get_task(c.task)   # the user's files hold this task's kind of rows, with its labels by default
        return load_custom(c.columns, list(c.labels) if c.labels else spec.labels, data_files=list(c.data_files),
                           split=split, lang=c.src_lang, kind=spec.kind)

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared | None = None) -> DatasetDict:
        c = self.config
        out = {}
        for split in c.splits:
            ds = self._load(split)
            stats.info.setdefault("source_rows", {})[split] = len(ds)
            if c.skip:
                if c.skip >= len(ds):
                    raise StiltsError(f"--skip {c.skip}: {c.task} {split} has only {len(ds)} rows")
                ds = ds.select(range(c.skip, len(ds)))
                stats.drop(f"skip_{c.skip}", c.skip)
            if c.limit is not None and c.limit < len(ds):
                stats.drop(f"limit_{c.limit}", len(ds) - c.limit)
                ds = ds.select(range(c.limit))
            stats.info.setdefault("rows", {})[split] = [c.skip, c.skip + len(ds) - 1]   # the source rows read
            if c.num_shards > 1:  # deterministic contiguous shard; `advmine merge` joins them in order
                ds = ds.shard(c.num_shards, c.shard_index, contiguous=True)
            out[split] = ds
        stats.rows_in = sum(stats.info["source_rows"].values())
        return DatasetDict(out)
