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
