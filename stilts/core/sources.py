"""Where task data comes from, as the commands' `--kit` / `--data-dir` flags say: load()'s keyword arguments."""
from __future__ import annotations

from stilts.core.errors import StiltsError


def source_kwargs(kit: bool, data_dir: str | None) -> dict[str, str | None]:
    """{"source": "kit"}, {"source": "data-dir", "data_dir": ...} or {"source": "hub"} (the default)."""
    if kit and data_dir:
        raise StiltsError("pass either --kit or --data-dir, not both")
    if kit:
        return {"source": "kit"}
    return {"source": "data-dir", "data_dir": data_dir} if data_dir else {"source": "hub"}


def source_overrides(kit: bool, data_dir: str | None) -> dict[str, str]:
    """The same flags as config keys over a config file's own: none when neither flag is given (the file's
    source stays); `--kit` wins over `--data-dir`, as the commands always let it."""
    if kit:
        return {"source": "kit"}
    return {"source": "data-dir", "data_dir": data_dir} if data_dir else {}
