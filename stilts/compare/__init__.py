"""`stilts compare`: the experiment grid that answers the research question (conditions x targets x seeds),
its statistics (paired bootstrap over test examples and seeds), report.md and plots."""
from __future__ import annotations

from pathlib import Path

from stilts.compare.grid import GridConfig, load_grid


def report_grid(grid: GridConfig, log=print) -> dict:
    """Collect finished cells into results.json, report.md and plots/ (learning curves included; what
    `--report-only` does)."""
    from stilts.compare.aggregate import collect, write_results
    from stilts.compare.curves import write_curve_plots
    from stilts.compare.plots import write_plots
    from stilts.compare.report import main_table, write_report

    results = collect(grid)
    out = Path(grid.out)
    write_results(results, out)
    plots = write_plots(results, out) + write_curve_plots(results, out)
    path = write_report(results, out)
    log(f"wrote {path}, {out / 'results.json'} and {len(plots)} plot(s) in {out / 'plots'}")
    return {"results": results, "report": path, "plots": plots, "table": main_table(results)}


__all__ = ["GridConfig", "load_grid", "report_grid"]
