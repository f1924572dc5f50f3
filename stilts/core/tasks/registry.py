"""Find task specs by name (or alias), with "did you mean" for typos."""
from __future__ import annotations

import functools
from pathlib import Path

from stilts.core.errors import StiltsError, unknown
from stilts.core.tasks.spec import TaskSpec, load_spec

SPEC_DIR = Path(__file__).parent / "specs"


@functools.lru_cache(maxsize=1)
def _registry() -> dict[str, TaskSpec]:
    by_name: dict[str, TaskSpec] = {}
    for path in sorted(SPEC_DIR.glob("*.yaml")):
        spec = load_spec(path)
        if spec.name != path.stem:
            raise StiltsError(f"{path}: name {spec.name!r} must match the file name")
        for key in [spec.name, *spec.aliases]:
            if key in by_name:
                raise StiltsError(f"{path}: name {key!r} is already used by task {by_name[key].name!r}")
            by_name[key] = spec
    return by_name


def list_tasks() -> list[TaskSpec]:
    """Every task once (aliases folded), in a stable order: intermediate tasks, then targets, then the rest."""
    order = {"intermediate": 0, "target": 1, "stage": 2}
    specs = {s.name: s for s in _registry().values()}.values()
    return sorted(specs, key=lambda s: (order.get(s.role, 3), s.benchmark, s.name))


def get_task(name: str) -> TaskSpec:
    reg = _registry()
    key = name.strip().lower()
    if key not in reg:
        raise unknown("task", name, sorted({s.name for s in reg.values()}))
    return reg[key]
