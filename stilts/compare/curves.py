"""Every finished cell's English dev learning curves, one record per (cell, stage), and one PNG per target task
(plots/curves_<target>.png). A difference between conditions means little when a stage, above all the `none`
baseline's, stopped while it was still improving: the records carry the training loop's verdict (`converged`,
`last_gain` of stilts.train.loop.convergence), computed again here from the recorded curve with that same
function, so that a run trained under an earlier rule is read under today's, and `step_gain` beside it.

A stage's verdict comes from its result in the cell's scores.json; a stage whose result has no curve (multi-task
and retrieval stages, which record it only in the stage folder) takes the `curve.json` the loop wrote beside it,
whose verdict is the same function's. A stage with neither (results from before curves) is "no curve recorded"."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stilts.compare.plots import _plt, _save, colors
from stilts.train.loop import CURVE, GAIN_POINTS, RULE, convergence

# The loop's verdict -> what the report calls it; a stage without a curve has no verdict at all.
STATUS: dict[bool | None, str] = {True: "converged", False: "unconverged", None: "one evaluation only"}
NO_CURVE = "no curve recorded"
PHASES = ("phase1", "intermediate", "hidden", "target")   # panel order: a stage's name starts with its phase
SEED_STYLES = ("-", "--", ":", "-.")
LEGEND_MARK = {False: " (unconverged)"}   # the loop's verdict as the legend shows it (nothing when converged)


def _y_key(point: Mapping[str, Any]) -> str:
    """The dev metric's key in a curve point (the loop stores `step`, `epoch` and the metric under its name)."""
    return next(k for k in point if k not in ("step", "epoch", "vs_best"))


def _points(curve: list[dict]) -> list[dict]:
    """Curve points as {step, epoch, value}, whatever the metric is called (a multi-task stage's is `mean`), with
    the loop's paired test against the best earlier evaluation (`vs_best`) where it made one."""
    return [{"step": p["step"], "epoch": p["epoch"], "value": float(p[_y_key(p)]),
             **({"vs_best": p["vs_best"]} if "vs_best" in p else {})} for p in curve]


def _from_result(result: Mapping[str, Any]) -> dict | None:
    """The curve and verdict a stage result carries (stilts.train.phases.run_stage), if it carries one."""
    if not result.get("curve"):
        return None
    return {"points": _points(result["curve"]), "converged": result.get("converged"),
            "last_gain": result.get("last_gain"), "from": "stage result"}


def _from_file(stage_dir: Path) -> dict | None:
    """The curve.json the loop wrote beside a stage's output, for stages whose result does not carry it."""
    try:
        data = json.loads((stage_dir / CURVE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not data.get("points"):
        return None
    return {"points": _points(data["points"]), "converged": data.get("converged"),
            "last_gain": data.get("last_gain"), "from": CURVE}


def status_of(record: Mapping[str, Any]) -> str:
    """converged | unconverged | one evaluation only | no curve recorded."""
    return STATUS[record["converged"]] if record["points"] else NO_CURVE


def cell_curves(cell_dir: str | Path, condition: str, target: str, seed: int) -> list[dict]:
    """One record per trained stage of a cell (from its scores.json); a cell without scores.json gets one
    record saying so, so that no cell is counted as converged for want of data."""
    d = Path(cell_dir)
    base = {"cell": f"{condition}/{target}/seed{seed}", "condition": condition, "target": target, "seed": seed}
    empty = {"points": [], "converged": None, "last_gain": None, "from": None}
    try:
        results = json.loads((d / "scores.json").read_text(encoding="utf-8"))["english_dev"]
    except (OSError, ValueError, KeyError):
        return [{**base, "stage": "(no scores.json)", "metric": None, **empty}]
    records = []
    for res in results:
        found = _from_result(res) or _from_file(d / res["stage"]) or empty
        hib = _higher_is_better(d / res["stage"])
        if found["points"]:
            found = {**found, **convergence([{**p, "v": p["value"]} for p in found["points"]], "v", hib)}
        records.append({**base, "stage": res["stage"], "metric": res.get("metric"), **found,
                        "step_gain": step_gain(found["points"], hib)})
    return records


def _higher_is_better(stage_dir: Path) -> bool:
    """The direction the loop recorded beside the stage (a masked-LM loss falls); higher when none was kept."""
    try:
        return bool(json.loads((stage_dir / CURVE).read_text(encoding="utf-8")).get("higher_is_better", True))
    except (OSError, ValueError):
        return True


def step_gain(points: list[dict], higher_is_better: bool = True) -> float | None:
    """The last evaluation's gain over the one just before (issue 22's first rule), shown beside the loop's
    verdict, which is measured against the best earlier evaluation, so that a reader sees both."""
    if len(points) < 2:
        return None
    gain = points[-1]["value"] - points[-2]["value"]
    return float(gain if higher_is_better else -gain)


def phase_of(stage: str) -> str:
    """The panel a stage is drawn in: its name's prefix (intermediate-mnli -> intermediate)."""
    head = stage.split("-", 1)[0]
    return head if head in PHASES else "other"


def curve_figure(r: Mapping[str, Any], target: str):
    """One panel per phase present; a line per (condition, seed, stage), coloured by condition, styled by seed;
    a red cross on the last point of an unconverged stage."""
    plt = _plt()
    records = [c for c in r.get("curves", []) if c["target"] == target and c["points"]]
    phases = [p for p in PHASES + ("other",) if any(phase_of(c["stage"]) == p for c in records)]
    color = colors(r)
    seeds = sorted({c["seed"] for c in records})
    fig, axes = plt.subplots(1, len(phases), figsize=(6.5 * len(phases), 4.8), squeeze=False)
    for ax, phase in zip(axes[0], phases):
        for c in (c for c in records if phase_of(c["stage"]) == phase):
            xs, ys = [p["epoch"] for p in c["points"]], [p["value"] for p in c["points"]]
            ax.plot(xs, ys, SEED_STYLES[seeds.index(c["seed"]) % len(SEED_STYLES)], marker="o", markersize=3,
                    color=color.get(c["condition"], "gray"),
                    label=f"{c['condition']} / seed{c['seed']} / {c['stage']}" + LEGEND_MARK.get(c["converged"], ""))
            if c["converged"] is False:
                ax.plot(xs[-1], ys[-1], "x", color="red", markersize=10, markeredgewidth=2)
        ax.set_xlabel("epoch")
        ax.set_ylabel("English dev score (stage's metric)")
        ax.set_title(f"{phase} stages")
        ax.legend(fontsize=6, loc="lower right")
    fig.suptitle(f"{target}: English dev learning curves (red x: unconverged, the last evaluation beat the best "
                 f"earlier one by more than {GAIN_POINTS:g} point)", fontsize=10)
    fig.tight_layout()
    return fig


def write_curve_plots(r: Mapping[str, Any], out: str | Path) -> list[Path]:
    """plots/curves_<target>.png for each target with at least one recorded curve."""
    plt = _plt()
    d = Path(out) / "plots"
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for target in dict.fromkeys(c["target"] for c in r.get("curves", []) if c["points"]):
        fig = curve_figure(r, target)
        written.append(_save(fig, d / f"curves_{target}.png"))
        plt.close(fig)
    return written
