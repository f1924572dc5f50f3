"""The experiment grid of `stilts compare`: conditions x target tasks x seeds, from one YAML, strictly checked.

A condition is what phase 1 and phase 2 do (continued MLM, intermediate tasks); every condition is trained on
every target with every seed, and each (condition, target, seed) is one cell: a `stilts train` run followed by
`stilts eval` on the target. Intermediate datasets that advmine builds are declared once under `datasets` and
named `@name` in conditions; `same_size_as` gives a control the row count of another dataset, so that
"multilingual random" and "multilingual adversarial" differ in how rows were chosen, not in how many.
Every key a grid file leaves out comes from defaults.yaml (the research question's default grid).
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from stilts.core.config_check import check
from stilts.core.errors import StiltsError, unknown
from stilts.core.overrides import merged_config
from stilts.eval.retrieval import Pooling, RetrievalConfig
from stilts.models import layer_problem

DEFAULTS = Path(__file__).with_name("defaults.yaml")   # the default grid: the one place its values are written


@dataclass(frozen=True)
class Condition:
    intermediate: list[str] = field(default_factory=list)   # tasks, @datasets, a+@b mixes; several = multi-task
    continued_mlm: list[str] = field(default_factory=list)  # texts for continued MLM (tasks or @datasets)
    description: str = ""
    experiment: dict[str, Any] = field(default_factory=dict)  # `stilts train` config keys for this condition only


@dataclass(frozen=True)
class GridDataset(Mapping):
    """An advmine build of the grid: `advmine build` config keys (the grid sets out, source and data_dir) and
    `same_size_as`. It reads as the mapping it was written as, which is what advmine's `resolve` takes."""
    task: str
    langs: list[str]
    same_size_as: str | None = None                # the row count of this other dataset (a size-matched control)
    options: dict[str, Any] = field(default_factory=dict)   # the other build keys, checked against BuildConfig

    def _as_dict(self) -> dict[str, Any]:
        extra = {"same_size_as": self.same_size_as} if self.same_size_as is not None else {}
        return {"task": self.task, "langs": self.langs, **self.options, **extra}

    def __getitem__(self, key: str) -> Any:
        return self._as_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._as_dict())

    def __len__(self) -> int:
        return len(self._as_dict())


@dataclass(frozen=True)
class EvalOptions:
    langs: list[str] | None = None      # default: every language of the task
    split: str | None = None            # default: the task's evaluation split
    limit: int | None = None            # first N rows per language (after `skip`)
    skip: int = 0                       # rows left out first: the part of a dev split used for model selection
    pooling: Pooling = RetrievalConfig.pooling   # retrieval targets: `stilts eval`'s defaults
    layer: float | None = None          # default: the cell's retrieval_layer (the model's profile unless set)
    prefix: str | None = None           # default: the cell's retrieval_prefix (e5-small: "query: ")
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)   # task -> any of these keys, for that target
                                        # alone (e.g. XCOPA's labelled test split needs no `skip`)

    def for_task(self, task: str) -> "EvalOptions":
        """The options a target is evaluated with: these, with its own entry of `tasks` over them."""
        own = self.tasks.get(task) or {}
        return dataclasses.replace(self, tasks={}, **own) if own else dataclasses.replace(self, tasks={})


@dataclass(frozen=True)
class GridConfig:
    """Every value comes from the grid file or, for the keys it leaves out, from defaults.yaml."""
    out: str
    name: str
    model: str
    source: Literal["hub", "data-dir", "kit"]   # for task data and advmine builds
    data_dir: str | None
    seeds: list[int]
    targets: list[str]
    baseline: str
    conditions: dict[str, Condition]
    datasets: dict[str, GridDataset]
    experiment: dict[str, Any]          # `stilts train` config keys for every cell
    eval: EvalOptions
    bootstrap: int                      # bootstrap replicates for the confidence intervals
    bootstrap_seed: int
    reading: str | None = None          # a markdown file (a person's reading of the results) the report includes

    def condition(self, name: str) -> Condition:
        return self.conditions[name]


@dataclass(frozen=True)
class Cell:
    condition: str
    target: str
    seed: int

    @property
    def name(self) -> str:
        return f"{self.condition}/{self.target}/seed{self.seed}"


def default_grid() -> dict[str, Any]:
    """defaults.yaml as a mapping: what a grid file's missing keys become."""
    return yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))


def load_grid(path: str | None, overrides: dict[str, Any]) -> GridConfig:
    """The grid YAML with `--set` overrides, over defaults.yaml key by key; every problem (keys, types,
    conditions, datasets, targets) in one line."""
    data = merged_config(path, overrides)
    where = f"grid {path}" if path else "grid"
    for key, value in default_grid().items():
        data.setdefault(key, copy.deepcopy(value))
    problems: list[str] = []
    datasets = _datasets(data.get("datasets"), where, problems)
    conditions = data.get("conditions")
    if isinstance(conditions, dict):   # `none:` with no value is a condition with every default
        conditions = {k: {} if v is None else v for k, v in conditions.items()}
    grid = check(GridConfig, {**data, "conditions": conditions, "datasets": {}}, where, problems)
    if grid is not None:
        grid = dataclasses.replace(grid, datasets=datasets)
        problems += _cross_check(grid, where)
    if problems:
        raise StiltsError(f"invalid {where}: " + "; ".join(problems))
    return grid


def _datasets(raw: Any, where: str, problems: list[str]) -> dict[str, GridDataset]:
    """Each dataset checked as the `advmine build` config it becomes, its select budget included."""
    from advmine.config import BuildConfig
    from advmine.selectors import budget_count

    if not isinstance(raw, dict):
        problems.append(f"{where}.datasets: expected a mapping, got {type(raw).__name__}")
        return {}
    out = {}
    for name, spec in raw.items():
        at, mine = f"{where}.datasets.{name}", []
        spec = dict(spec) if isinstance(spec, dict) else spec
        ref = spec.pop("same_size_as", None) if isinstance(spec, dict) else None
        if ref is not None and not isinstance(ref, str):
            mine.append(f"{at}.same_size_as: expected a dataset name, got {type(ref).__name__}")
        cfg = check(BuildConfig, {"out": "", **spec} if isinstance(spec, dict) else spec, at, mine)
        if cfg is not None and cfg.select is not None:
            try:
                budget_count(cfg.select.budget, 1)
            except StiltsError as e:
                mine.append(f"{at}.select.budget: {e}")
        if cfg is not None and not mine:
            out[name] = GridDataset(cfg.task, cfg.langs, ref,
                                    {k: v for k, v in spec.items() if k not in ("task", "langs")})
        problems += mine
    return out


def _cross_check(grid: GridConfig, where: str) -> list[str]:
    """What the types cannot say: names that must name something (datasets, conditions, tasks), and seeds."""
    from stilts.core.tasks import get_task, list_tasks

    problems = []
    for name, cond in grid.conditions.items():
        for key in ("intermediate", "continued_mlm"):
            for part in (p for entry in getattr(cond, key) for p in entry.split("+")):
                if part.startswith("@") and part[1:] not in grid.datasets:
                    problems.append(f"{where}.conditions.{name}: {part} is not declared under datasets "
                                    f"(declared: {', '.join(grid.datasets) or 'none'})")
                elif not part.startswith("@") and not _is_source(part):
                    tasks = sorted(s.name for s in list_tasks())
                    problems.append(f"{where}.conditions.{name}.{key}: {unknown('task or @dataset', part, tasks)}")
    for name, spec in grid.datasets.items():
        if spec.same_size_as is not None and spec.same_size_as not in grid.datasets:
            problems.append(f"{where}.datasets.{name}.same_size_as: no dataset {spec.same_size_as!r}")
    if grid.baseline not in grid.conditions:
        problems.append(f"{where}.baseline: {grid.baseline!r} is not a condition ({', '.join(grid.conditions)})")
    if not grid.seeds or len(set(grid.seeds)) != len(grid.seeds) or any(
            not isinstance(s, int) or s < 0 for s in grid.seeds):
        problems.append(f"{where}.seeds: give distinct seeds >= 0, e.g. [0, 1, 2]")
    for t in grid.targets:
        try:
            get_task(t)
        except StiltsError as e:
            problems.append(f"{where}.targets: {e}")
    if grid.eval.layer is not None and layer_problem(grid.eval.layer):
        problems.append(f"{where}.eval.layer: {layer_problem(grid.eval.layer)}")
    problems += _task_eval_problems(grid, where)
    return problems or _stage_key_problems(grid, where) or _frozen_eval_layers(grid, where)


def _stage_key_problems(grid: GridConfig, where: str) -> list[str]:
    """`epochs`/`limits`/`skip` keys (grid-wide or a condition's) that name no stage of any cell: a stage is keyed
    by its task (an intermediate set's task, a target's hidden stages', the target's own), so `epochs.copa`
    would do nothing in a grid whose XCOPA stage is keyed `xcopa`. Unknown when an intermediate source's task
    cannot be read before it is built: then nothing is checked."""
    from stilts.train.disjoint import source_task
    from stilts.train.stages import INTERMEDIATE, target_stage_tasks, unknown_stage_keys

    tasks: set[str] = set()
    for t in grid.targets:
        tasks.update(target_stage_tasks(t))
    for cond in grid.conditions.values():
        for entry in cond.intermediate:
            tasks.add(INTERMEDIATE)
            first = entry.split("+")[0]
            try:
                tasks.add(grid.datasets[first[1:]].task if first.startswith("@") else source_task(first))
            except (StiltsError, KeyError):
                return []
    settings = [("experiment", _flatten(grid.experiment))] + [
        (f"conditions.{n}.experiment", _flatten(c.experiment)) for n, c in grid.conditions.items()]
    return [f"{where}.{place}.{key}: no stage of this grid is keyed so (its stages: {', '.join(sorted(tasks))}; "
            "a target's stage is keyed by the target, e.g. epochs.xcopa for XCOPA's COPA stage)"
            for place, flat in settings for key in unknown_stage_keys(flat, tasks)]


def _task_eval_problems(grid: GridConfig, where: str) -> list[str]:
    """`eval.tasks` entries: each names a target of the grid and sets only EvalOptions keys of known types."""
    names = [f.name for f in dataclasses.fields(EvalOptions) if f.name != "tasks"]
    problems = []
    for task, own in grid.eval.tasks.items():
        if task not in grid.targets:
            problems.append(f"{where}.eval.tasks.{task}: not a target of this grid ({', '.join(grid.targets)})")
        elif not isinstance(own, dict) or set(own) - set(names):
            problems.append(f"{where}.eval.tasks.{task}: give a mapping of {', '.join(names)}")
        else:
            check(EvalOptions, {**dataclasses.asdict(dataclasses.replace(grid.eval, tasks={})), **own},
                  f"{where}.eval.tasks.{task}", problems)
    return problems


def _frozen_eval_layers(grid: GridConfig, where: str) -> list[str]:
    """Each condition x retrieval target whose evaluated layer lies inside the frozen layers (all conditions would
    tie): refused before any cell runs. A cell's own retrieval_layer is checked by its config's `resolve`."""
    from stilts.core.kinds import get_kind
    from stilts.core.tasks import get_task
    from stilts.train.config import frozen_layer_problem
    from stilts.train.model_sources import model_depth

    cells_of: dict[str, list[str]] = {}   # problem -> the cells it holds for, said once
    for t in (t for t in grid.targets if get_kind(get_task(t).kind).dual_encoder):
        for cond in grid.conditions:
            try:
                cfg = experiment_config(grid, Cell(cond, t, grid.seeds[0]))
                problem = frozen_layer_problem(cfg, eval_retrieval(grid.eval.for_task(t), cfg).layer,
                                               model_depth(cfg))
            except StiltsError as e:
                problem = str(e)
            if problem:
                cells_of.setdefault(problem, []).append(f"{cond}/{t}")
    return [f"{where} cells {', '.join(names)}: {problem}" for problem, names in cells_of.items()]


def _is_source(part: str) -> bool:
    """A training source `stilts train` reads: a registry task, an advmine directory or `hf:org/name`."""
    from stilts.core.tasks import get_task

    if part.startswith("hf:") or Path(part).is_dir():
        return True
    try:
        get_task(part)
    except StiltsError:
        return False
    return True


def refs_of(cond: Condition) -> list[str]:
    """The advmine datasets (`@name`) a condition reads."""
    return [p[1:] for entry in cond.intermediate + cond.continued_mlm for p in entry.split("+") if p.startswith("@")]


def cells(grid: GridConfig) -> list[Cell]:
    """Seed-major order: every condition has a first seed before any has a second, so a grid stopped early
    already compares all conditions."""
    return [Cell(c, t, s) for s in grid.seeds for t in grid.targets for c in grid.conditions]


def cell_dir(grid: GridConfig, cell: Cell) -> Path:
    return Path(grid.out) / "cells" / cell.condition / cell.target / f"seed{cell.seed}"


def dataset_dir(grid: GridConfig, name: str) -> Path:
    return Path(grid.out) / "datasets" / name


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _resolverefs_of(grid: GridConfig, entries: list[str]) -> list[str]:
    return ["+".join(str(dataset_dir(grid, p[1:])) if p.startswith("@") else p for p in e.split("+"))
            for e in entries]


def experiment_config(grid: GridConfig, cell: Cell):
    """The `stilts train` config of one cell: grid-wide keys, then the condition's, then the cell's own."""
    from stilts.train.config import resolve

    cond = grid.condition(cell.condition)
    overrides = {**_flatten(grid.experiment), **_flatten(cond.experiment),
                 "out": str(cell_dir(grid, cell)), "model": grid.model, "source": grid.source,
                 "data_dir": grid.data_dir, "intermediate": _resolverefs_of(grid, cond.intermediate),
                 "continued_mlm": _resolverefs_of(grid, cond.continued_mlm), "target": cell.target,
                 "train.seed": cell.seed}
    return resolve(None, overrides)


def cell_key(grid: GridConfig, cell: Cell, dataset_fingerprints: dict[str, str], legacy: bool = False) -> str:
    """What a cell's result depends on (its config, the eval options, the datasets it reads), not where it is:
    advmine datasets enter by name and content fingerprint, not by their path under the grid's directory, so a
    copied or moved grid keeps its finished cells. `legacy`: the key of earlier versions (paths included), still
    accepted for grids that were not moved."""
    exp = experiment_config(grid, cell)
    cfg = exp.key_dict()
    cfg.pop("out")
    if not legacy:
        cond = grid.condition(cell.condition)
        cfg.update(intermediate=list(cond.intermediate), continued_mlm=list(cond.continued_mlm))
    refs = sorted(set(refs_of(grid.condition(cell.condition))))
    blob = {"train": cfg, "eval": _eval_key(grid.eval.for_task(cell.target), exp),
            "datasets": {r: dataset_fingerprints.get(r) for r in refs}}
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()[:16]


def eval_retrieval(e: EvalOptions, cfg: Any) -> RetrievalConfig:
    """How a cell's evaluation reads its encoder: the grid's eval options where set, else the layer and prefix
    the cell trained with (its experiment config: the model's profile unless the grid sets them)."""
    return RetrievalConfig(pooling=e.pooling, layer=cfg.retrieval_layer if e.layer is None else e.layer,
                           prefix=cfg.retrieval_prefix if e.prefix is None else e.prefix)


def _eval_key(e: EvalOptions, cfg: Any) -> dict[str, Any]:
    """The eval options as cell keys hash them: the layer that is read (whoever named it), and the prefix only
    when there is one, so that a grid's cells keep the keys they had before prefixes and profiles existed."""
    r = eval_retrieval(e, cfg)
    key = {**dataclasses.asdict(e), "layer": r.layer}
    key.pop("prefix")
    key.pop("tasks")   # resolved for the cell's target already (EvalOptions.for_task)
    return {**key, **({"prefix": r.prefix} if r.prefix else {})}


def datasets_of(grid: GridConfig, cells_: list[Cell]) -> list[str]:
    """The datasets these cells read, with each `same_size_as` reference first."""
    need: list[str] = []

    def add(name: str) -> None:
        ref = grid.datasets[name].same_size_as
        if ref:
            add(ref)
        if name not in need:
            need.append(name)

    for c in cells_:
        for r in refs_of(grid.condition(c.condition)):
            add(r)
    return need
