"""Map one source record into the unified schema of its task kind, validating as it goes.

Every problem raises `DataError(file, row, field, ...)`: one line that says where and what. Functions here are
top-level and take plain JSON-able arguments, so `datasets` can fingerprint the maps that call them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from stilts.core.errors import DataError
from stilts.core.kinds import get_kind
from stilts.core.kinds.rows import MISSING


def pick(rec: dict, source: Any, where: tuple, field: str) -> Any:
    """Read a mapped column: a name, a position (headerless TSV), a dotted path, a list of those, or null ("")."""
    if source is None:
        return ""
    if isinstance(source, list):
        return [pick(rec, s, where, field) for s in source]
    if source in rec:
        return rec[source]
    if isinstance(source, str) and "." in source:
        value: Any = rec
        for part in source.split("."):
            if not isinstance(value, dict) or part not in value:
                return MISSING
            value = value[part]
        return value
    return MISSING


def unify(rec: dict, job: dict, file: str | Path | None, row: Any, state: dict) -> dict:
    """One record -> one unified row. `state` is per file: it remembers whether the file carries labels."""
    kind, where = get_kind(job["kind"]), (file, row)
    if not job.get("structured"):
        cols = job.get("columns") or {}
        out = {f: pick(rec, cols.get(f, f), where, f) for f in kind.fields}
        out["id"] = pick(rec, cols.get("id", "id"), where, "id")
        for f in kind.fields:
            v = out[f]
            if v is MISSING or (isinstance(v, list) and MISSING in v):
                if f in ("label", "tags", "answers", "target", "target_ids"):
                    out[f] = MISSING
                    continue
                src = cols.get(f, f)
                raise DataError(*where, f, f"column {src!r} not found (row has: {', '.join(map(str, rec))})")
    else:
        out = dict(rec)
    class_names = job.get("class_names") or {}
    for f, names in class_names.items():  # hub ClassLabel ints -> their names, before our own label mapping
        if f in out and out[f] is not MISSING:
            out[f] = ([names[v] if v is not None and v >= 0 else None for v in out[f]] if isinstance(out[f], list)
                      else (names[out[f]] if out[f] is not None and out[f] >= 0 else None))
    rid = out.get("id")
    if rid in (None, "", MISSING):
        part = f"{job['file_index']}-" if "file_index" in job else ""
        out["id"] = f"{job['lang']}-{job['split']}-{part}{row}"
    else:
        out["id"] = str(rid)
    out["lang"] = job["lang"]
    for f in kind.nonempty_text:
        v = out.get(f)
        if not isinstance(v, str):
            raise DataError(*where, f, f"expected text, got {type(v).__name__}")
        if not v.strip():
            raise DataError(*where, f, "empty text")
    kind.check_row(out, job, where, state)
    return {k: out[k] for k in ("id", "lang", *kind.fields)}

