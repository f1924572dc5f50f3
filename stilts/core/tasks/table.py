"""`stilts tasks`: the registry as a table, with which sources can serve each task right now."""
from __future__ import annotations

from pathlib import Path

from stilts.core.hub import hub_reachable
from stilts.core.tasks.loader import KIT_DIR, _expand, _match, _roles
from stilts.core.tasks.registry import list_tasks
from stilts.core.tasks.spec import TaskSpec


def has_local_files(spec: TaskSpec, root: Path) -> bool:
    """True when any split of any language has its main file under `root`, in any layout."""
    for lay in spec.layouts:
        var = lay.variants[0] if lay.variants else None
        for entry in lay.files.values():
            for pattern in _roles(entry)["main"]:
                for lang in spec.all_languages:
                    if any(_match(root, p) for p in _expand(pattern, spec, lang, var)):
                        return True
                    if "{" not in pattern:
                        break
    if spec.parts:
        from stilts.core.tasks.registry import get_task
        return all(has_local_files(get_task(p), root) for p in spec.parts)
    return False


def render_languages(langs: list[str], width: int = 38) -> str:
    text = " ".join(langs)
    return text if len(text) <= width else text[: width - 6].rsplit(" ", 1)[0] + " ..."


def task_rows(data_dir: str | Path | None = None, probe_hub: bool = True) -> list[dict[str, str]]:
    online = hub_reachable() if probe_hub else False
    rows = []
    for spec in list_tasks():
        hub = ("-" if spec.hub is None and not spec.parts else ("reachable" if online else "unreachable"))
        local = "-" if data_dir is None else ("present" if has_local_files(spec, Path(data_dir)) else "absent")
        rows.append({"task": spec.name, "kind": spec.kind, "role": spec.role, "benchmark": spec.benchmark,
                     "metric": spec.metric, "langs": f"{len(spec.languages):>2} {render_languages(spec.languages)}",
                     "hub": hub, "data-dir": local, "kit": "yes" if has_local_files(spec, KIT_DIR) else "-"})
    return rows


def format_table(rows: list[dict[str, str]]) -> str:
    """A plain-text table (readable in a terminal, a log and a closing note alike)."""
    if not rows:
        return ""
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
    line = lambda r: "  ".join(r[c].ljust(widths[c]) for c in cols).rstrip()  # noqa: E731
    return "\n".join([line({c: c for c in cols}), "  ".join("-" * widths[c] for c in cols), *map(line, rows)])
