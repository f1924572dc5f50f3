"""Perturbation registry: `--perturb NAME[:k=v,...]` (several allowed). Each entry declares its parameters
with defaults; values are parsed by type and checked, never evaluated (no `eval`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stilts.core.errors import StiltsError, unknown


@dataclass(frozen=True)
class Entry:
    name: str
    make: Callable[..., Any]             # (params, build config) -> a Perturbation
    params: dict[str, Any]               # name -> default (its type is the parameter's type)
    label_preserving: str                # why the label still holds
    family: str = ""
    doc: str = ""


REGISTRY: dict[str, Entry] = {}


def register(entry: Entry) -> None:
    REGISTRY[entry.name] = entry


def _convert(value: str, default: Any, where: str) -> Any:
    try:
        if isinstance(default, bool):
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return value.lower() in ("true", "1")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, list):
            return [x for x in value.split("+") if x]
    except ValueError:
        raise StiltsError(f"{where}: {value!r} is not a {type(default).__name__}") from None
    return value


@dataclass(frozen=True)
class PerturbSpec:
    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        return self.name + (":" + ",".join(f"{k}={'+'.join(v) if isinstance(v, list) else v}"
                                           for k, v in sorted(self.params.items()) if v != []) if self.params else "")


def parse(text: str) -> PerturbSpec:
    """'wordnet:pct=0.2,side=b' -> PerturbSpec('wordnet', {pct: 0.2, side: 'b', ...defaults})."""
    _load_entries()
    name, _, rest = text.strip().partition(":")
    if name not in REGISTRY:
        raise unknown("perturbation", name, sorted(REGISTRY))
    entry = REGISTRY[name]
    params = dict(entry.params)
    for item in filter(None, (x.strip() for x in rest.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise StiltsError(f"--perturb {text}: {item!r} is not KEY=VALUE")
        if key not in entry.params:
            raise StiltsError(f"--perturb {text}: {name} has no parameter {key!r} (has: {', '.join(entry.params)})")
        params[key] = _convert(value, entry.params[key], f"--perturb {text}: {key}")
    return PerturbSpec(name, params)


def _load_entries() -> None:
    # Importing the modules registers their entries; TextAttack itself is imported only when one is *used*.
    from advmine.perturbations import codeswitch, textattack_swaps  # noqa: F401
