"""A build is a list of small steps (datatrove's shape). Each step takes and returns a `DatasetDict`, keeps
its own stats, and leaves a completion marker, so a rerun skips what is finished.

Every step's output is saved under `work_dir/<nn>_<name>/` with `stats.json` and a marker
(`stilts.core.markers`) holding the step's key: a hash of the previous step's key and this step's own config.
A marker with another key (the config changed) does not count, and the step runs again. Steps are saved into a temp dir and renamed, so a
killed run never leaves a half-written step that looks done.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datasets import DatasetDict, load_from_disk

from stilts.core.errors import StiltsError
from stilts.core.markers import done, key_of, mark_done


@dataclass
class StepStats:
    name: str
    rows_in: int = 0
    rows_out: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)
    skipped: bool = False  # True when this run reused the finished output of an earlier run

    def drop(self, reason: str, n: int = 1) -> None:
        if n:
            self.dropped[reason] = self.dropped.get(reason, 0) + n


class Step:
    """Subclasses set `name`, implement `run`, and return their output-relevant config from `config()`."""
    name = "step"
    persist = True  # save the output and mark it done; the write step writes elsewhere and always runs

    def config(self) -> dict[str, Any]:
        return {}

    def run(self, data: DatasetDict | None, stats: StepStats) -> DatasetDict:
        raise NotImplementedError


def _rows(data: DatasetDict | None) -> int:
    return sum(len(ds) for ds in data.values()) if data is not None else 0


class Pipeline:
    def __init__(self, steps: list[Step], work_dir: str | Path, log=print):
        self.steps, self.work_dir, self.log = steps, Path(work_dir), log

    def run(self) -> tuple[DatasetDict, list[StepStats]]:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        data: DatasetDict | None = None
        key, all_stats = "", []
        for i, step in enumerate(self.steps):
            key = key_of(key, step.name, step.config())
            folder = self.work_dir / f"{i:02d}_{step.name}"
            if step.persist and done(folder, key):
                data = load_from_disk(str(folder / "data"))
                stats = StepStats(**json.loads((folder / "stats.json").read_text()))
                stats.skipped = True
                self.log(f"[{i:02d} {step.name}] done before ({stats.rows_out} rows): skipped")
            else:
                stats = StepStats(step.name, rows_in=_rows(data))
                t0 = time.perf_counter()
                data = step.run(data, stats)
                stats.seconds = round(time.perf_counter() - t0, 3)
                stats.rows_out = _rows(data)
                if step.persist:
                    self._save(folder, data, stats, key)
                self.log(f"[{i:02d} {step.name}] {stats.rows_in} -> {stats.rows_out} rows in {stats.seconds:.1f}s"
                         + (f", dropped {stats.dropped}" if stats.dropped else ""))
            all_stats.append(stats)
        if data is None:
            raise StiltsError("an empty pipeline produced nothing")
        return data, all_stats

    @staticmethod
    def _save(folder: Path, data: DatasetDict, stats: StepStats, key: str) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        tmp.mkdir(parents=True)
        data.save_to_disk(str(tmp / "data"))
        (tmp / "stats.json").write_text(json.dumps(dataclasses.asdict(stats), indent=1, ensure_ascii=False))
        mark_done(tmp, key)
        tmp.rename(folder)
