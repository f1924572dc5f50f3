"""Completion markers: the one way a directory says "this work finished, for this key".

A marker is a small JSON file (`DONE` unless a caller names another) holding `key`, a hash of everything the
work depended on, plus whatever the caller wants to keep beside it (a stage's scores, a cell's metadata). It is
written last, atomically (temp file + rename), so a killed job never leaves a directory that looks finished; a
marker with another key means the work was done for another config, and does not count. The advmine pipeline's
steps, the training stages, the locally built phase-1 models and the grid's cells all use it.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

MARKER = "DONE"


def key_of(*parts: Any) -> str:
    """A short, stable hash of JSON-able parts (dataclasses as dicts; paths and others by their str)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def mark_done(directory: str | Path, key: str, name: str = MARKER, **info: Any) -> Path:
    """Write the marker last: `{"key": key, **info}`, atomically."""
    path = Path(directory) / name
    tmp = path.with_name(f".{name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps({"key": key, **info}, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_marker(directory: str | Path, name: str = MARKER) -> dict | None:
    """The marker's content, or None when there is none (or it is unreadable: an old format counts as none)."""
    try:
        data = json.loads((Path(directory) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "key" in data else None


def done(directory: str | Path, key: str, name: str = MARKER) -> dict | None:
    """The marker's content when the work finished with this key, else None."""
    data = read_marker(directory, name)
    return data if data is not None and data["key"] == key else None
