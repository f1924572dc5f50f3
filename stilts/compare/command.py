"""What `stilts compare` and `stilts tasks --check-hub` do, behind their command lines: cli.py parses options,
calls one function here and prints."""
from __future__ import annotations

from typing import Any, Callable

from stilts.core.sources import source_overrides


Echo = Callable[[str], None]


def grid_overrides(out: str | None, kit: bool, data_dir: str | None, sets: dict[str, Any]) -> dict[str, Any]:
    """--out, --kit / --data-dir and --set as grid keys; `--kit` also picks the offline real encoder."""
    overrides = {"out": out, **sets, **source_overrides(kit, data_dir)}   # the flags win over --set
    if kit:
        overrides["model"] = "e5-small"
    return overrides


def compare(grid_file: str | None, overrides: dict[str, Any], *, list_only: bool = False, prepare: bool = False,
            shard: str | None = None, only: list[str] | None = None, report_only: bool = False,
            force: bool = False, targets: list[str] | None = None, echo: Echo = print, log: Echo = print) -> None:
    """List, prepare, run and/or report a grid; `echo` gets the results, `log` the progress."""
    from stilts.compare import load_grid, report_grid
    from stilts.compare.runner import list_cells, run_grid

    grid = narrowed(load_grid(grid_file, overrides), targets)
    if list_only:
        echo(list_cells(grid, shard, only))
        return
    if not report_only:
        summary = run_grid(grid, shard, only, force=force, prepare_only=prepare, log=log)
        if prepare:
            echo("datasets ready: " + (", ".join(f"{k} ({v})" for k, v in summary["fingerprints"].items())
                                       or "none (no condition reads an advmine dataset)"))
            return
        echo(f"cells run: {len(summary['ran'])}, skipped (finished before): {len(summary['skipped'])}")
    res = report_grid(grid, log=log)
    echo(res["table"])
    echo(f"report: {res['report']}")


def narrowed(grid: Any, targets: list[str] | None) -> Any:
    """The grid with only `targets` (`--targets`): a grid too long for one budget runs as parts split by target,
    each into its own --out and report, while the whole grid's config is what was checked (a per-stage setting of
    a target left for the other part is not refused as naming no stage)."""
    import dataclasses

    from stilts.core.errors import StiltsError

    if not targets:
        return grid
    unknown = [t for t in targets if t not in grid.targets]
    if unknown:
        raise StiltsError(f"--targets {unknown[0]}: not a target of this grid ({', '.join(grid.targets)})")
    return dataclasses.replace(grid, targets=[t for t in grid.targets if t in targets])


def check_hub(tasks: list[str] | None, langs: list[str] | None) -> tuple[str, int]:
    """The hub check's table and summary line, and how many checks failed (needs internet)."""
    from stilts.compare.hub_check import plan_checks, run_checks
    from stilts.core.hub import hub_reachable, require_hub
    from stilts.core.tasks.table import format_table

    if not hub_reachable():
        require_hub("the hub check", "nothing: this check needs internet (see `stilts tasks` for local sources)")
    rows = run_checks(plan_checks(tasks, langs))
    failed = sum(r["status"] != "ok" for r in rows)
    return f"{format_table(rows)}\n{len(rows) - failed} ok, {failed} failed", failed


__all__ = ["check_hub", "compare", "grid_overrides", "narrowed"]
