"""The grid report's learning curves and convergence (stilts.compare.curves): fake cells on disk, shaped as
stilts.train writes them (scores.json stage results, curve.json beside a stage), and a fake results object around
them. The report's first line is bold when a `none` cell is unconverged and plain when all converged; old results
are "no curve recorded"; one PNG per target; the setup section carries the subset diagnostics table."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from stilts.compare.curves import NO_CURVE, cell_curves, status_of, write_curve_plots
from stilts.compare.report import convergence_headline, render
from stilts.train.loop import convergence, write_curve

PNG = b"\x89PNG\r\n\x1a\n"


def _curve(values: list[float], metric: str = "accuracy") -> list[dict]:
    return [{"step": 10 * (i + 1), "epoch": float(i + 1), metric: v} for i, v in enumerate(values)]


def _result(stage: str, values: list[float] | None) -> dict:
    """A stage result as stilts.train.phases.run_stage returns it; None: an old result, without a curve."""
    res = {"stage": stage, "metric": "accuracy", "dev_en": max(values or [60.0]), "best_epoch": 0, "steps": 30,
           "train_rows": 100, "dev_rows": 40}
    if values is not None:
        res.update(curve=_curve(values), **convergence(_curve(values), "accuracy"))
    return res


def _cell(root: Path, name: str, results: list[dict]) -> Path:
    d = root / "cells" / name
    d.mkdir(parents=True)
    (d / "scores.json").write_text(json.dumps({"english_dev": results}))
    return d


def _fake_stats(path: Path) -> Path:
    """A built dataset's stats.json, as far as the select step's diagnostics go (advmine.diagnostics)."""
    diag = {"rows": 100, "selected": 25, "labels": {"max_dev_points": 2.5},
            "reference": {"name": "logreg", "accuracy": 0.71, "folds": 5, "weak": False},
            "noise": {"subset": 0.12, "random": 0.08}, "ref_accuracy": {"subset": 0.4, "random": 0.7},
            "adequacy": {"mean": 0.81, "below": 0.04}, "langid_ok": {"subset": 0.97}}
    path.mkdir(parents=True)
    stats = {"steps": [{"name": "select", "info": {"train": {"sw": {"rows": 100, "selected": 25,
                                                                    "diagnostics": diag}}}}]}
    (path / "stats.json").write_text(json.dumps(stats))
    return path


def _score(mean: float) -> dict:
    return {"mean": mean, "std": 0.5, "n": 2, "seeds": {"0": mean - 0.5, "1": mean + 0.5}}


def _condition(intermediate: list[str], stages: list[str]) -> dict:
    return {"description": "", "intermediate": intermediate, "continued_mlm": [], "datasets": [], "langs": [],
            "phase1": "kit", "continued_mlm_texts": None, "dev_en": {},
            "stages": [{"name": s, "phase": s.split("-")[0], "sources": ["mnli"], "train_rows": 100} for s in stages]}


def _results(out: Path, cells: dict[str, list[dict]]) -> dict:
    """A results object as stilts.compare.aggregate.collect makes it, over fake cells written under `out`."""
    conds = {"none": _condition([], ["target-xnli"]),
             "english": _condition(["mnli"], ["intermediate-mnli", "target-xnli"])}
    curves = []
    for name, results in cells.items():
        cond, target, seed = name.split("/")
        curves += cell_curves(_cell(out, name, results), cond, target, int(seed[4:]))
    ds = _fake_stats(out / "datasets" / "adv")
    return {
        "grid": {"name": "fake", "out": str(out), "model": "kit", "source": "kit", "data_dir": None, "seeds": [0, 1],
                 "targets": ["xnli"], "baseline": "english", "bootstrap": 10, "eval": {"langs": ["en", "sw"]},
                 "experiment": {}, "conditions": conds,
                 "datasets": {"adv": {"path": str(ds), "fingerprint": "f", "rows": {"train": 25}, "task": "mnli",
                                      "langs": ["sw"], "contamination": [], "selector": "random",
                                      "same_size_as": None, "select": {}}}},
        "tasks": {"xnli": {"metric": "accuracy", "score": "main score", "bootstrap": False, "langs": ["en", "sw"]}},
        "scores": {c: {"xnli": {"en": _score(70.0), "sw": _score(50.0)}} for c in conds},
        "task_avg": {c: {"xnli": {**_score(60.0), "langs": 2, "non_en": _score(50.0)}} for c in conds},
        "xtreme_avg": {c: {"mean": 60.0, "tasks": 1} for c in conds},
        "delta": {}, "delta_task_avg": {}, "delta_xtreme": {}, "delta_groups": {},
        "cells": {name: {"condition": name.split("/")[0], "target": "xnli", "seed": int(name[-1])} for name in cells},
        "curves": curves}


@pytest.fixture
def mixed(tmp_path: Path) -> dict:
    """none seed0 still gains 3 points at its last evaluation; none seed1 converged; english seed0's intermediate
    stage has its curve only in curve.json (as multi-task stages do); english seed1 is an old result."""
    out = tmp_path / "grid"
    r = _results(out, {
        "none/xnli/seed0": [_result("target-xnli", [50.0, 55.0, 58.0])],
        "none/xnli/seed1": [_result("target-xnli", [50.0, 57.0, 57.5])],
        "english/xnli/seed0": [_result("intermediate-mnli", None), _result("target-xnli", [60.0, 62.0, 62.4])],
        "english/xnli/seed1": [_result("intermediate-mnli", None), _result("target-xnli", None)]})
    stage = out / "cells" / "english/xnli/seed0" / "intermediate-mnli"
    stage.mkdir()
    write_curve(stage, _curve([40.0, 44.0, 44.5]), "accuracy")
    r["curves"] = [c for name in r["cells"] for c in cell_curves(out / "cells" / name, *_split(name))]
    return r


def _split(name: str) -> tuple[str, str, int]:
    cond, target, seed = name.split("/")
    return cond, target, int(seed[4:])


def _status(r: dict) -> dict[tuple[str, str], str]:
    return {(c["cell"], c["stage"]): status_of(c) for c in r["curves"]}


def test_records_take_the_loops_verdict_and_keep_old_results_unknown(mixed):
    assert _status(mixed) == {
        ("none/xnli/seed0", "target-xnli"): "unconverged", ("none/xnli/seed1", "target-xnli"): "converged",
        ("english/xnli/seed0", "intermediate-mnli"): "converged", ("english/xnli/seed0", "target-xnli"): "converged",
        ("english/xnli/seed1", "intermediate-mnli"): NO_CURVE, ("english/xnli/seed1", "target-xnli"): NO_CURVE}
    bad = next(c for c in mixed["curves"] if c["cell"] == "none/xnli/seed0")
    assert bad["last_gain"] == pytest.approx(3.0) and [p["epoch"] for p in bad["points"]] == [1.0, 2.0, 3.0]
    assert next(c for c in mixed["curves"] if c["stage"] == "intermediate-mnli" and c["points"])["from"] == "curve.json"


def test_report_opens_bold_on_an_unconverged_none_cell_and_marks_the_stage(mixed):
    report = render(mixed)
    first = report.splitlines()[0]
    assert first.startswith("**Unconverged baseline") and first.endswith("**")
    assert "none/xnli/seed0 target-xnli" in first and "seed1" not in first
    assert "no difference in the tables below can be read as an effect of intermediate training" in first
    assert report.splitlines()[2].startswith("# fake:")
    rows = {tuple(x.strip() for x in line.split("|")[1:3]): line for line in report.splitlines()
            if line.startswith("| none/") or line.startswith("| english/")}
    assert rows[("none/xnli/seed0", "target-xnli")].rstrip().endswith("| **unconverged** |")
    assert "| +3.00 |" in rows[("none/xnli/seed0", "target-xnli")]
    assert rows[("none/xnli/seed1", "target-xnli")].rstrip().endswith("| converged |")
    assert rows[("english/xnli/seed1", "target-xnli")].rstrip().endswith(f"| {NO_CURVE} |")
    assert sum("**unconverged**" in line for line in rows.values()) == 1


def test_curve_png_per_target_is_written_and_linked(mixed):
    out = Path(mixed["grid"]["out"])
    assert write_curve_plots(mixed, out) == [out / "plots" / "curves_xnli.png"]
    png = (out / "plots" / "curves_xnli.png").read_bytes()
    assert png[:8] == PNG and len(png) > 10_000
    report = render(mixed)
    assert report.count("![curves xnli](plots/curves_xnli.png)") == 1   # in its section, not again under Plots
    assert report.index("## Learning curves and convergence") < report.index("![curves xnli]")


def test_all_converged_is_one_plain_line(tmp_path):
    r = _results(tmp_path / "grid", {"none/xnli/seed0": [_result("target-xnli", [50.0, 55.0, 55.5])],
                                     "english/xnli/seed0": [_result("intermediate-mnli", [40.0, 41.0]),
                                                            _result("target-xnli", [60.0, 60.2])]})
    assert convergence_headline(r) == ["All 3 training stages of the 2 finished cells converged (in none, its last "
                                       "English dev evaluation beat the best earlier one by more than 1 point and, "
                                       "where the dev metric is scored per example, the gain's paired-bootstrap 95% "
                                       "interval over the dev rows lies above 0)."]
    assert render(r).startswith("All 3 training stages") and "**unconverged**" not in render(r).split("## ")[0]


def test_missing_curves_are_never_read_as_converged(tmp_path):
    r = _results(tmp_path / "grid", {"none/xnli/seed0": [_result("target-xnli", None)],
                                     "english/xnli/seed0": [_result("target-xnli", [60.0, 60.2])]})
    (line,) = convergence_headline(r)
    assert not line.startswith("**") and "converged" in line and f"1 {NO_CURVE}" in line
    assert "not known to be trained out" in line and not line.startswith("All")
    del r["curves"]   # a results.json from before curves: every cell unknown
    (line,) = convergence_headline(r)
    assert f"2 {NO_CURVE}" in line and "not known to be trained out" in line


def test_setup_section_shows_the_subset_diagnostics(mixed):
    report = render(mixed)
    setup = report[report.index("## Setup"):report.index("## Main table")]
    assert "### What each selected advmine subset holds" in setup
    assert "| dataset | lang | kept | label dev. (pts) | noise % (random %) |" in setup
    assert "| adv | sw | 25 | 2.5 | 12.0 (8.0) |" in setup and "Reference: logreg" in setup


def test_a_dip_and_recovery_is_converged_and_said(tmp_path):
    """The loop's rule measures the last evaluation against the best earlier one; the gain over the one just
    before is shown beside it and named in the first line, so that a reader sees both readings."""
    r = _results(tmp_path / "grid", {"none/xnli/seed0": [_result("target-xnli", [50.0, 56.0, 53.0, 55.0])],
                                     "english/xnli/seed0": [_result("intermediate-mnli", [40.0, 41.0]),
                                                            _result("target-xnli", [60.0, 60.2])]})
    (rec,) = [c for c in r["curves"] if c["condition"] == "none"]
    assert rec["converged"] is True and rec["last_gain"] == pytest.approx(-1.0)
    assert rec["step_gain"] == pytest.approx(2.0)
    (line,) = convergence_headline(r)
    assert line.startswith("All 3 training stages") and "none/xnli/seed0 target-xnli (+2.00)" in line
    assert "| none/xnli/seed0 | target-xnli | 4 | 55.0 | +2.00 | -1.00 | converged |" in render(r)


def test_a_verdict_recorded_under_an_earlier_rule_is_read_under_todays(tmp_path):
    """A stage result from before the best-earlier rule says unconverged (+2 over the one before); the report
    recomputes the verdict from its curve with the loop's function, so the run is read as converged."""
    old = _result("target-xnli", [50.0, 56.0, 53.0, 55.0])
    old.update(converged=False, last_gain=2.0)
    (rec,) = cell_curves(_cell(tmp_path, "none/xnli/seed0", [old]), "none", "xnli", 0)
    assert rec["converged"] is True and rec["last_gain"] == pytest.approx(-1.0)


def test_a_gain_inside_the_dev_rows_noise_is_converged_and_said(tmp_path):
    """A last evaluation 3 points above the best earlier one on 100 dev rows, whose paired interval includes 0,
    is no new high; the first line names it with its interval, and the table shows the interval."""
    res = _result("target-xcopa", [52.0, 52.0, 55.0])
    res["curve"][-1]["vs_best"] = {"gain": 3.0, "lo": -2.0, "hi": 8.0}
    r = _results(tmp_path / "grid", {"none/xcopa/seed0": [res],
                                     "english/xcopa/seed0": [_result("target-xcopa", [60.0, 60.2])]})
    (rec,) = [c for c in r["curves"] if c["condition"] == "none"]
    assert rec["converged"] is True and rec["gain_interval"] == [-2.0, 8.0]
    (line,) = convergence_headline(r)
    assert line.startswith("All 2 training stages") and "inside the dev rows' noise" in line
    assert "none/xcopa/seed0 target-xcopa (+3.00 [-2.0, +8.0])" in line
    assert "| none/xcopa/seed0 | target-xcopa | 3 | 55.0 | +3.00 | +3.00 [-2.0, +8.0] | converged |" in render(r)
    res["curve"][-1]["vs_best"] = {"gain": 3.0, "lo": 0.5, "hi": 6.0}     # outside the noise: still rising
    r = _results(tmp_path / "grid2", {"none/xcopa/seed0": [res],
                                      "english/xcopa/seed0": [_result("target-xcopa", [60.0, 60.2])]})
    assert convergence_headline(r)[0].startswith("**Unconverged baseline: 1 stage(s)")
