"""The experiment grid of `stilts compare`: conditions x target tasks x seeds, from one YAML, strictly checked.

A condition is what phase 1 and phase 2 do (continued MLM, intermediate tasks); every condition is trained on
every target with every seed, and each (condition, target, seed) is one cell: a `stilts train` run followed by
`stilts eval` on the target. Intermediate datasets that advmine builds are declared once under `datasets` and
named `@name` in conditions; `same_size_as` gives a control the row count of another dataset, so that
"multilingual random" and "multilingual adversarial" differ in how rows were chosen, not in how many.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stilts.core.errors import StiltsError
from stilts.core.overrides import merged_config
from stilts.core.tasks.spec import from_mapping

DEFAULT_LANGS = ["sw", "th", "ar"]

# The research question's controls: English-only STILTs is the baseline; "english-hard" isolates selection
# without translation; "multilingual-random" isolates translation without selection (same size as the
# adversarial subset); "multilingual-adversarial" is translation + perturbation + selection.
DEFAULT_DATASETS: dict[str, dict[str, Any]] = {
    "multilingual-adversarial": {"task": "mnli", "langs": DEFAULT_LANGS, "perturb": ["codeswitch"],
                                 "select": {"name": "knn-disagreement", "budget": 0.1}},
    "multilingual-random": {"task": "mnli", "langs": DEFAULT_LANGS, "select": {"name": "random"},
                            "same_size_as": "multilingual-adversarial"},
    "english-hard": {"task": "mnli", "langs": ["en"], "translator": {"name": "identity"}, "langid": "off",
                     "select": {"name": "knn-disagreement"}, "same_size_as": "multilingual-adversarial"},
}
DEFAULT_CONDITIONS: dict[str, dict[str, Any]] = {
    "none": {"description": "no intermediate training (XLM-R, then the target task)"},
    "english": {"intermediate": ["mnli"], "description": "English intermediate task (X-STILTs)"},
    "english-hard": {"intermediate": ["@english-hard"],
                     "description": "English hard subset (advmine selection, no translation)"},
    "multilingual-random": {"intermediate": ["@multilingual-random"],
                            "description": "translated, randomly selected subset of the same size"},
    "multilingual-adversarial": {"intermediate": ["@multilingual-adversarial"],
                                 "description": "translated, perturbed, adversarially selected subset"},
}


@dataclass(frozen=True)
class Condition:
    intermediate: list[str] = field(default_factory=list)   # tasks, @datasets, a+@b mixes; several = multi-task
    continued_mlm: list[str] = field(default_factory=list)  # texts for continued MLM (tasks or @datasets)
    description: str = ""
    experiment: dict[str, Any] = field(default_factory=dict)  # `stilts train` config keys for this condition only


@dataclass(frozen=True)
class EvalOptions:
    langs: list[str] | None = None      # default: every language of the task
    split: str | None = None            # default: the task's evaluation split
    limit: int | None = None            # first N rows per language (after `skip`)
    skip: int = 0                       # rows left out first: the part of a dev split used for model selection
    pooling: str = "mean"               # retrieval targets
    layer: float = 14 / 24


@dataclass(frozen=True)
class GridConfig:
    out: str
    name: str = "grid"
    model: str = "xlm-roberta-large"
    source: str = "hub"                 # hub | data-dir | kit, for task data and advmine builds
    data_dir: str | None = None
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    targets: list[str] = field(default_factory=lambda: ["xnli"])
    baseline: str = "english"
    conditions: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_CONDITIONS))
    datasets: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_DATASETS))
    experiment: dict[str, Any] = field(default_factory=dict)  # `stilts train` config keys for every cell
    eval: EvalOptions = field(default_factory=EvalOptions)
    bootstrap: int = 1000               # bootstrap replicates for the confidence intervals
    bootstrap_seed: int = 0

    def condition(self, name: str) -> Condition:
        return from_mapping(Condition, self.conditions[name] or {}, f"grid.conditions.{name}")


@dataclass(frozen=True)
class Cell:
    condition: str
    target: str
    seed: int

    @property
    def name(self) -> str:
        return f"{self.condition}/{self.target}/seed{self.seed}"


def load_grid(path: str | None, overrides: dict[str, Any]) -> GridConfig:
    """The grid YAML with `--set` overrides; every problem (keys, conditions, datasets) in one line."""
    data = merged_config(path, overrides)
    where = f"grid {path}" if path else "grid"
    data.setdefault("out", str(Path("out") / "grid"))
    grid = from_mapping(GridConfig, data, where)
    problems = []
    for name, cond in grid.conditions.items():
        try:
            c = grid.condition(name)
        except StiltsError as e:
            problems.append(str(e))
            continue
        for ref in refs_of(c):
            if ref not in grid.datasets:
                problems.append(f"{where}.conditions.{name}: @{ref} is not declared under datasets "
                                f"(declared: {', '.join(grid.datasets) or 'none'})")
    for name, spec in grid.datasets.items():
        ref = (spec or {}).get("same_size_as")
        if ref is not None and ref not in grid.datasets:
            problems.append(f"{where}.datasets.{name}.same_size_as: no dataset {ref!r}")
    if grid.baseline not in grid.conditions:
        problems.append(f"{where}.baseline: {grid.baseline!r} is not a condition ({', '.join(grid.conditions)})")
    if not grid.seeds or len(set(grid.seeds)) != len(grid.seeds) or any(
            not isinstance(s, int) or s < 0 for s in grid.seeds):
        problems.append(f"{where}.seeds: give distinct seeds >= 0, e.g. [0, 1, 2]")
    if grid.source not in ("hub", "data-dir", "kit"):
        problems.append(f"{where}.source: {grid.source!r}: use hub, data-dir or kit")
    if problems:
        raise StiltsError("; ".join(problems))
    from stilts.core.tasks import get_task
    for t in grid.targets:
        get_task(t)
    return grid


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
    cfg = experiment_config(grid, cell).to_dict()
    cfg.pop("out")
    if not legacy:
        cond = grid.condition(cell.condition)
        cfg.update(intermediate=list(cond.intermediate), continued_mlm=list(cond.continued_mlm))
    refs = sorted(set(refs_of(grid.condition(cell.condition))))
    blob = {"train": cfg, "eval": dataclasses.asdict(grid.eval),
            "datasets": {r: dataset_fingerprints.get(r) for r in refs}}
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()[:16]


def datasets_of(grid: GridConfig, cells_: list[Cell]) -> list[str]:
    """The datasets these cells read, with each `same_size_as` reference first."""
    need: list[str] = []

    def add(name: str) -> None:
        ref = (grid.datasets[name] or {}).get("same_size_as")
        if ref:
            add(ref)
        if name not in need:
            need.append(name)

    for c in cells_:
        for r in refs_of(grid.condition(c.condition)):
            add(r)
    return need
