"""Completion markers (stilts.core.markers): one keyed, atomic marker for pipeline steps, training stages, the
locally built models and grid cells; a run never mixes two configs' results, and a checkpoint made with another
config is refused instead of resumed."""
from __future__ import annotations

import json

import pytest
import yaml

import stilts.train.phases as phases
from stilts.core.errors import StiltsError
from stilts.core.markers import done, key_of, mark_done, read_marker
from stilts.train.config import resolve
from stilts.train.phases import run_experiment

QUIET = {"log": lambda m: None}


def test_marker_is_keyed_atomic_and_ignores_old_formats(tmp_path):
    assert read_marker(tmp_path) is None and done(tmp_path, "k") is None
    mark_done(tmp_path, "k", result={"dev_en": 1.0})
    assert done(tmp_path, "k") == {"key": "k", "result": {"dev_en": 1.0}}
    assert done(tmp_path, "other") is None and read_marker(tmp_path)["key"] == "k"
    assert [p.name for p in tmp_path.iterdir()] == ["DONE"]            # no temp file left behind
    (tmp_path / "DONE").write_text("0123abcd")                          # the old plain-key format counts as none
    assert read_marker(tmp_path) is None
    assert key_of({"a": 1, "b": [2]}) == key_of({"b": [2], "a": 1}) != key_of({"a": 2, "b": [2]})


def _fake_stages(monkeypatch, fail_on: str | None = None) -> list[str]:
    """Stages that "train" instantly (the real loop is tested in test_train.py); returns the names run."""
    ran: list[str] = []

    def run_stage(stage, start, cfg, run, log, key=""):
        if stage.name == fail_on:
            raise KeyboardInterrupt("killed")
        ran.append(stage.name)
        (run / stage.name / "encoder").mkdir(parents=True, exist_ok=True)
        (run / stage.name / "model").mkdir(parents=True, exist_ok=True)
        return {"stage": stage.name, "dev_en": cfg.train.lr}

    monkeypatch.setattr(phases, "run_stage", run_stage)
    monkeypatch.setattr(phases, "base_encoder", lambda cfg, log: "phase1-model")
    return ran


def _cfg(tmp_path, **sets):
    # the kit's 3,000 MNLI rows: 1,000 for the intermediate stage, the next 1,000 for XNLI's (disjoint rows)
    return resolve(None, {"out": str(tmp_path / "run"), "intermediate": "mnli", "target": "xnli", "source": "kit",
                          "model": "kit", "limit": 1000, **sets})


def test_config_yaml_is_written_only_for_what_ran_and_a_rerun_resumes(tmp_path, monkeypatch):
    run = tmp_path / "run"
    _fake_stages(monkeypatch, fail_on="target-xnli")
    with pytest.raises(KeyboardInterrupt):
        run_experiment(_cfg(tmp_path), **QUIET)
    assert not (run / "config.yaml").exists()        # interrupted: no config claims results that do not exist
    assert read_marker(run / "intermediate-mnli")["result"]["stage"] == "intermediate-mnli"
    ran = _fake_stages(monkeypatch)
    result = run_experiment(_cfg(tmp_path), **QUIET)
    assert ran == ["target-xnli"] and result["stages"] == ["intermediate-mnli", "target-xnli"]
    assert yaml.safe_load((run / "config.yaml").read_text()) == _cfg(tmp_path).to_dict()


def test_a_rerun_with_another_config_is_refused_in_one_line(tmp_path, monkeypatch):
    """Before, the stage markers held no key: a rerun with a new learning rate rewrote config.yaml and skipped the
    finished stages, leaving a run whose config did not match its results."""
    _fake_stages(monkeypatch)
    run_experiment(_cfg(tmp_path), **QUIET)
    before = (tmp_path / "run" / "config.yaml").read_text()
    with pytest.raises(StiltsError, match=r"intermediate-mnli finished with another config.*--overwrite") as e:
        run_experiment(_cfg(tmp_path, **{"train.lr": 1e-4}), **QUIET)
    assert "\n" not in str(e.value)
    assert (tmp_path / "run" / "config.yaml").read_text() == before
    ran = _fake_stages(monkeypatch)
    run_experiment(_cfg(tmp_path, **{"train.lr": 1e-4}), overwrite=True, **QUIET)
    assert ran == ["intermediate-mnli", "target-xnli"]
    assert json.loads((tmp_path / "run" / "scores.json").read_text())["english_dev"][0]["dev_en"] == 1e-4


def test_intermediate_stage_key_does_not_depend_on_the_target(tmp_path):
    xnli, pawsx = _cfg(tmp_path), _cfg(tmp_path, target="pawsx")
    kx, kp = phases.stage_keys(xnli, phases.plan(xnli)), phases.stage_keys(pawsx, phases.plan(pawsx))
    assert kx["intermediate-mnli"] == kp["intermediate-mnli"] and kx["target-xnli"] != kp["target-pawsx"]
    lr = _cfg(tmp_path, **{"train.lr": 1e-4})
    assert phases.stage_keys(lr, phases.plan(lr))["intermediate-mnli"] != kx["intermediate-mnli"]
