"""The grid features the real-data grid (configs/grids/real-data.yaml) rests on, on a tiny model and ../shared/data:
per-target eval options, retrieval targets that train nothing (scored on the phase-1 encoder under `none`, read once
for all seeds), disjoint intermediate and XNLI rows, and what the report says about them (issue 24)."""
from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from stilts.compare.grid import load_grid
from stilts.core.errors import StiltsError


def _grid(out, shared_data) -> dict:
    return {"name": "tiny-real", "out": str(out), "model": "kit", "source": "data-dir", "data_dir": str(shared_data),
            "seeds": [0, 1], "targets": ["xnli", "tatoeba"], "baseline": "english", "bootstrap": 50,
            "experiment": {"kit.hidden": 32, "kit.layers": 1, "kit.vocab_size": 800, "kit.max_steps": 20,
                           "kit.epochs": 1, "limit": 60, "dev_limit": 20, "epochs": {"mnli": 1, "xnli": 1},
                           "skip": {"xnli": 60}, "require_disjoint": True},
            "eval": {"langs": ["en", "de", "sw"], "skip": 20, "limit": 30,
                     "tasks": {"tatoeba": {"skip": 0, "limit": 25}}},
            "conditions": {"none": {}, "english": {"intermediate": ["mnli"]}}}


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory, shared_data):
    from cli import stilts

    root = tmp_path_factory.mktemp("real-cells")
    path = root / "grid.yaml"
    path.write_text(yaml.safe_dump(_grid(root / "run", shared_data), sort_keys=False))
    result = CliRunner().invoke(stilts, ["compare", str(path)])
    assert result.exit_code == 0, result.output
    return {"out": root / "run", "output": result.output}


def _eval(out, cell: str, task: str) -> dict:
    return json.loads((out / "cells" / cell / "eval" / f"{task}.json").read_text(encoding="utf-8"))


def test_each_target_is_evaluated_with_its_own_options(grid_run):
    xnli, tatoeba = _eval(grid_run["out"], "english/xnli/seed0", "xnli"), _eval(grid_run["out"], "english/tatoeba/seed0", "tatoeba")
    assert {lg: e["rows"] for lg, e in xnli["languages"].items()} == {"en": 30, "de": 30, "sw": 30}
    assert {lg: e["rows"] for lg, e in tatoeba["languages"].items()} == {"de": 25, "sw": 25}
    assert "en" in tatoeba["unavailable"]
    report = (grid_run["out"] / "report.md").read_text(encoding="utf-8")
    assert "xnli was evaluated on rows 20-49 of each language's evaluation split" in report
    assert "tatoeba was evaluated on rows 0-24" in report
    assert "- tatoeba read the encoder at layer " in report


def test_an_untrained_retrieval_cell_scores_the_phase1_encoder_once(grid_run):
    out = grid_run["out"]
    seed0, seed1 = _eval(out, "none/tatoeba/seed0", "tatoeba"), _eval(out, "none/tatoeba/seed1", "tatoeba")
    assert seed0 == seed1 and not (out / "cells" / "none/tatoeba/seed0" / "stages.json").exists()
    assert "[none/tatoeba/seed0] no stage to train: tatoeba is scored on the phase-1 encoder" in grid_run["output"]
    assert "[none/tatoeba/seed1] the untrained encoder's tatoeba scores of none/tatoeba/seed0" in grid_run["output"]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert not [c for c in results["curves"] if c["target"] == "tatoeba" and c["condition"] == "none"]  # none to converge
    assert results["cells"]["none/tatoeba/seed1"]["trained"] is False
    # the English intermediate stage changed the encoder: its scores are its own
    assert _eval(out, "english/tatoeba/seed0", "tatoeba")["model_fingerprint"] != seed0["model_fingerprint"]


def test_intermediate_and_xnli_rows_are_disjoint_and_the_report_says_so(grid_run):
    stages = json.loads((grid_run["out"] / "cells" / "english/xnli/seed0" / "stages.json").read_text())
    assert stages["disjoint"] == ["target-xnli reads mnli rows 60-119; intermediate-mnli reads rows 0-59 of it "
                                  "(mnli): no row in common"]
    report = (grid_run["out"] / "report.md").read_text(encoding="utf-8")
    assert "english: the intermediate data mnli is xnli's English training task, on other rows: target-xnli" in report


def test_eval_task_options_are_checked(tmp_path, shared_data):
    raw = _grid(tmp_path, shared_data)
    with pytest.raises(StiltsError, match=r"eval\.tasks\.panx: not a target of this grid \(xnli, tatoeba\)"):
        load_grid(None, {**raw, "eval": {"tasks": {"panx": {"limit": 5}}}})
    with pytest.raises(StiltsError, match=r"eval\.tasks\.tatoeba: give a mapping of langs, split, limit, skip"):
        load_grid(None, {**raw, "eval": {"tasks": {"tatoeba": {"rows": 5}}}})
    with pytest.raises(StiltsError, match=r"eval\.tasks\.tatoeba"):
        load_grid(None, {**raw, "eval": {"tasks": {"tatoeba": {"limit": "many"}}}})
