"""Row-check helpers the kinds share with `stilts.core.tasks.unify`: labels as class indices, and whether a
file is labelled (decided by its first row)."""
from __future__ import annotations

from typing import Any

from stilts.core.errors import DataError

MISSING = object()   # a mapped column the record does not have


def label_index(raw: Any, names: list[str] | None, label_map: dict, n_choices: int | None,
                where: tuple, field: str) -> int | None:
    """Raw label -> class index. Accepts label names, aliases from `label_map`, or integer indices."""
    if raw is None or raw is MISSING or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if label_map:
        raw = label_map.get(str(raw).strip(), raw)
    if isinstance(raw, str):
        raw = raw.strip()
    size = len(names) if names else n_choices
    if isinstance(raw, bool):
        raise DataError(*where, field, f"label {raw!r} is a boolean, expected a class")
    if isinstance(raw, int) or (isinstance(raw, str) and raw.lstrip("-").isdigit()):
        i = int(raw)
        if i == -1:
            return None
        if size is not None and 0 <= i < size:
            return i
        raise DataError(*where, field, f"label index {i} is out of range 0..{(size or 1) - 1}")
    if names and raw in names:
        return names.index(raw)
    known = ", ".join(names) if names else f"0..{(size or 1) - 1}"
    raise DataError(*where, field, f"unknown label {raw!r} (known: {known})")


def labelled(state: dict, has_label: bool, where: tuple, field: str) -> bool:
    """The first row decides whether a file is labelled; after that every row must agree."""
    if state.get("labelled") is None:
        state["labelled"] = has_label
    elif state["labelled"] != has_label:
        problem = "missing label" if state["labelled"] else "a label in an unlabelled file"
        raise DataError(*where, field, problem)
    return has_label
