"""Load the English source task (hub, data dir or kit) into the unified schema; slice and shard it."""
from __future__ import annotations

from datasets import DatasetDict

from advmine.config import BuildConfig
from advmine.pipeline import Step, StepStats
from stilts.core.tasks import load


class LoadStep(Step):
    name = "load"

    def __init__(self, cfg: BuildConfig):
        self.cfg = cfg

    def config(self) -> dict:
        c = self.cfg
        out = {"task": c.task, "source": c.source, "data_dir": c.data_dir, "splits": c.splits, "layout": c.layout,
               "variant": c.variant, "limit": c.limit, "src_lang": c.src_lang, "shards": [c.num_shards, c.shard_index]}
        if c.data_files:  # the files' content (size and mtime) enters the key, as the loader's cache does
            from pathlib import Path

            out.update(data_files=[[str(Path(f).resolve()), Path(f).stat().st_size, Path(f).stat().st_mtime_ns]
                                   for f in c.data_files], columns=c.columns, labels=c.labels)
        return out

    def _load(self, split: str):
        c = self.cfg
        if not c.data_files:
            return load(c.task, split, c.src_lang, source=c.source, data_dir=c.data_dir, layout=c.layout,
                        variant=c.variant)
        from stilts.core.tasks import get_task
        from stilts.core.tasks.custom import load_custom

        spec = get_task(c.task)   # the user's files hold this task's kind of rows, with its labels by default
        return load_custom(c.columns, c.labels or spec.labels, data_files=c.data_files, split=split,
                           lang=c.src_lang, kind=spec.kind)

    def run(self, data: DatasetDict | None, stats: StepStats) -> DatasetDict:
        c = self.cfg
        out = {}
        for split in c.splits:
            ds = self._load(split)
            stats.info.setdefault("source_rows", {})[split] = len(ds)
            if c.limit is not None and c.limit < len(ds):
                ds = ds.select(range(c.limit))
                stats.drop(f"limit_{c.limit}", stats.info["source_rows"][split] - c.limit)
            if c.num_shards > 1:  # deterministic contiguous shard; `advmine merge` joins them in order
                ds = ds.shard(c.num_shards, c.shard_index, contiguous=True)
            out[split] = ds
        stats.rows_in = sum(stats.info["source_rows"].values())
        return DatasetDict(out)
