"""A build is a list of small steps (datatrove's shape). Each step takes and returns a `DatasetDict`, keeps
its own stats, and leaves a completion marker, so a rerun skips what is finished.

Each step owns a frozen config dataclass holding only what it reads (built from the BuildConfig by
`Step.configure`), and lists the files it reads (`inputs`). Its marker key is derived, never written by hand:
the previous step's key, the step's name, `asdict(config)` and the sha256 of every input file's content. So
any option that changes a step's output, or an edited lexicon or data file, runs the step (and all later ones)
again. A `Context` carries what is shared but never changes an output (the cache directory).

Every step's output is saved under `work_dir/<nn>_<name>/` with `stats.json` and a marker
(`stilts.core.markers`). A step may also leave an artefact for later steps (the embed step's vectors): it is
saved in the step's folder beside its output, and loaded from there, on first use, when the step is skipped.
Steps are saved into a temp dir and renamed, so a killed run never leaves a half-written step that looks done.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from datasets import DatasetDict, load_from_disk

from advmine.cache import file_digest
from stilts.core.errors import StiltsError
from stilts.core.markers import done, key_of, mark_done

if TYPE_CHECKING:
    from advmine.config import BuildConfig

ARTEFACT = "artefact"   # a step's artefact folder, beside `data` and `stats.json`


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


@dataclass(frozen=True)
class Context:
    """What every step may use but no output depends on, hence never part of a key."""
    cache_dir: str | None = None   # the persistent translation and embedding caches (default: ~/.cache/advmine)


class Artefact(Protocol):
    def save(self, folder: Path) -> None: ...

    @classmethod
    def load(cls, folder: Path) -> Any: ...


class Shared:
    """The artefacts finished steps left for later ones, by step name; a skipped step's is read on first use."""

    def __init__(self) -> None:
        self._items: dict[str, Any] = {}
        self._loaders: dict[str, Callable[[], Any]] = {}

    def put(self, name: str, value: Any) -> None:
        self._items[name] = value

    def defer(self, name: str, loader: Callable[[], Any]) -> None:
        self._items.pop(name, None)
        self._loaders[name] = loader

    def get(self, name: str) -> Any:
        if name not in self._items:
            if name not in self._loaders:
                raise StiltsError(f"no {name} step ran before the step that needs its output")
            self._items[name] = self._loaders.pop(name)()
        return self._items[name]


class Step:
    """Subclasses set `name` and `Config` (a frozen dataclass), implement `configure` and `run`, and may list
    the files they read (`inputs`) and add a card section (`card`)."""
    name: ClassVar[str] = "step"
    Config: ClassVar[type]
    persist: ClassVar[bool] = True       # save the output and mark it done; the write step always runs
    keeps_rows: ClassVar[bool] = False   # returns its input rows unchanged: only stats and artefact are saved
    artefact: ClassVar[type[Artefact] | None] = None   # what `run` puts in `shared` under the step's name
    uses: tuple[str, ...] = ()           # the earlier steps whose artefacts `run` reads

    def __init__(self, config: Any, ctx: Context | None = None):
        self.config, self.ctx = config, ctx or Context()

    @classmethod
    def configure(cls, cfg: BuildConfig) -> Any:
        """This step's config from a build config: cheap (no model is loaded), also used to render a card."""
        raise NotImplementedError

    @classmethod
    def wanted(cls, cfg: BuildConfig) -> bool:
        """Whether a build with this config runs the step."""
        return True

    @classmethod
    def of(cls, cfg: BuildConfig) -> Step:
        return cls(cls.configure(cfg), Context(cfg.cache_dir))

    def inputs(self) -> list[Path]:
        """Every file the output depends on; their content enters the key."""
        return []

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared) -> DatasetDict:
        raise NotImplementedError

    @classmethod
    def card(cls, stats: StepStats, config: Any) -> list[str]:
        """This step's section of the dataset card (markdown lines, none by default)."""
        return []


def step_key(previous: str, step: Step) -> str:
    """The step's marker key: chained with the previous step's, so a change reruns everything after it."""
    return key_of(previous, step.name, dataclasses.asdict(step.config), [file_digest(p) for p in step.inputs()])


def _rows(data: DatasetDict | None) -> int:
    return sum(len(ds) for ds in data.values()) if data is not None else 0


class Pipeline:
    def __init__(self, steps: list[Step], work_dir: str | Path, log=print):
        self.steps, self.work_dir, self.log = steps, Path(work_dir), log

    def keys(self) -> list[str]:
        """Every step's marker key, in order (what a run would compare with the markers)."""
        out, key = [], ""
        for step in self.steps:
            key = step_key(key, step)
            out.append(key)
        return out

    def run(self) -> tuple[DatasetDict, list[StepStats]]:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        data: DatasetDict | None = None
        shared = Shared()
        key, all_stats = "", []
        for i, step in enumerate(self.steps):
            key = step_key(key, step)
            folder = self.work_dir / f"{i:02d}_{step.name}"
            if step.persist and done(folder, key):
                if not step.keeps_rows:
                    data = load_from_disk(str(folder / "data"))
                if step.artefact is not None:
                    shared.defer(step.name, lambda kind=step.artefact, at=folder / ARTEFACT: kind.load(at))
                stats = StepStats(**json.loads((folder / "stats.json").read_text()))
                stats.skipped = True
                self.log(f"[{i:02d} {step.name}] done before ({stats.rows_out} rows): skipped")
            else:
                stats = StepStats(step.name, rows_in=_rows(data))
                t0 = time.perf_counter()
                data = step.run(data, stats, shared)
                stats.seconds = round(time.perf_counter() - t0, 3)
                stats.rows_out = _rows(data)
                if step.persist:
                    self._save(folder, step, data, stats, key, shared)
                self.log(f"[{i:02d} {step.name}] {stats.rows_in} -> {stats.rows_out} rows in {stats.seconds:.1f}s"
                         + (f", dropped {stats.dropped}" if stats.dropped else ""))
            for line in stats.info.get("warnings", []) if isinstance(stats.info, dict) else []:
                self.log(f"warning: {line}")
            all_stats.append(stats)
        if data is None:
            raise StiltsError("an empty pipeline produced nothing")
        return data, all_stats

    @staticmethod
    def _save(folder: Path, step: Step, data: DatasetDict, stats: StepStats, key: str, shared: Shared) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        tmp.mkdir(parents=True)
        if not step.keeps_rows:
            data.save_to_disk(str(tmp / "data"))
        if step.artefact is not None:
            shared.get(step.name).save(tmp / ARTEFACT)
        (tmp / "stats.json").write_text(json.dumps(dataclasses.asdict(stats), indent=1, ensure_ascii=False))
        mark_done(tmp, key)
        tmp.rename(folder)
