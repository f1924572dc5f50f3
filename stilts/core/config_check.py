"""The one config checker: a YAML mapping becomes a (nested) dataclass, or one line naming every problem.

Task specs, `advmine build` configs, `stilts train` configs and `stilts compare` grids are all dataclasses, so
their checks live here once: unknown keys, missing keys, wrong types and `Literal[...]` choices are collected
together, because a user fixing a config wants every mistake at once, not one per run."""
from __future__ import annotations

import dataclasses
import difflib
import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from stilts.core.errors import StiltsError


def check(cls: type, data: Any, where: str, problems: list[str]) -> Any:
    """Build `cls` from a mapping, appending each problem (as `where.key: ...`) to `problems`; None if
    this mapping (not a sibling) has any."""
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping, got {type(data).__name__}")
        return None
    before = len(problems)
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            problems.append(f"{where}.{key}: unknown key (known: {', '.join(fields)})")
    kwargs = {}
    for name, f in fields.items():
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                problems.append(f"{where}.{name}: missing")
            continue
        kwargs[name] = _value(data[name], hints[name], f"{where}.{name}", problems)
    return cls(**kwargs) if len(problems) == before else None


def _value(value: Any, hint: Any, where: str, problems: list[str]) -> Any:
    """One field's value, checked against its annotation (nested dataclasses, lists and dicts of them too)."""
    args = get_args(hint)
    target = next((a for a in args if dataclasses.is_dataclass(a)), hint)
    if get_origin(hint) is list and args and dataclasses.is_dataclass(args[0]):
        if not isinstance(value, list):
            problems.append(f"{where}: expected a list")
            return value
        return [check(args[0], v, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    if get_origin(hint) is dict and len(args) == 2 and dataclasses.is_dataclass(args[1]):
        if not isinstance(value, dict):
            problems.append(f"{where}: expected a mapping, got {type(value).__name__}")
            return value
        return {k: check(args[1], v, f"{where}.{k}", problems) for k, v in value.items()}
    if dataclasses.is_dataclass(target) and value is not None:
        return check(target, value, where, problems)
    if isinstance(value, str) and _type_ok(_as_float(value), hint) and not _type_ok(value, hint):
        return _as_float(value)  # YAML 1.1 reads `1e-4` as a string; a float field takes it as a number
    problem = mismatch(value, hint)
    if problem:
        problems.append(f"{where}: {problem}")
    return value


def mismatch(value: Any, hint: Any) -> str | None:
    """Why `value` does not fit `hint` (a choice outside a Literal says which choices exist), or None."""
    if _type_ok(value, hint):
        return None
    choices = _literals(hint)
    if choices:
        close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
        hint_text = f" (did you mean {close[0]}?)" if close else ""
        return f"{value!r} is not one of {', '.join(str(c) for c in choices)}{hint_text}"
    return f"expected {hint}, got {type(value).__name__}"


def check_choices(obj: Any, where: str) -> None:
    """Raise for any Literal field of a dataclass instance outside its choices: for configs built in Python
    (e.g. `RetrievalConfig(pooling=...)`) rather than read from a mapping."""
    hints = get_type_hints(type(obj))
    problems = [f"{where}.{f.name}: {p}" for f in dataclasses.fields(obj)
                if _literals(hints[f.name]) and (p := mismatch(getattr(obj, f.name), hints[f.name]))]
    if problems:
        raise StiltsError(f"invalid {where}: " + "; ".join(problems))


def from_mapping(cls: type, data: Any, where: str) -> Any:
    """Build a (nested) dataclass from a mapping, reporting every bad key path in one line."""
    problems: list[str] = []
    obj = check(cls, data, where, problems)
    if problems:
        raise StiltsError(f"invalid {where}: " + "; ".join(problems))
    return obj


def _literals(hint: Any) -> list[Any]:
    if get_origin(hint) is Literal:
        return list(get_args(hint))
    if get_origin(hint) is Union or get_origin(hint) is types.UnionType:
        return [c for a in get_args(hint) for c in _literals(a)]
    return []


def _as_float(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _type_ok(value: Any, hint: Any) -> bool:
    if hint is Any:
        return True
    origin = get_origin(hint)
    if origin is Literal:
        return any(value == c and type(value) is type(c) for c in get_args(hint))
    if origin is Union or origin is types.UnionType:
        return any(_type_ok(value, a) for a in get_args(hint))
    if hint is type(None):
        return value is None
    if origin in (list, dict):
        return isinstance(value, origin)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, hint) if isinstance(hint, type) else True
