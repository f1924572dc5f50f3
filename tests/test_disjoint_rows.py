"""An intermediate stage and a later stage that read the same source task (XNLI trains on MNLI) are compared by
source row id before anything trains: the run says whether they share rows, `require_disjoint` stops it when they
do, and `skip.<stage task>` moves the later stage's rows past the intermediate's (issue 24)."""
from __future__ import annotations

import pytest

import stilts.train.phases as phases
from stilts.core.errors import StiltsError
from stilts.train.config import resolve
from stilts.train.disjoint import check_disjoint


def _cfg(tmp_path, shared_data, **extra):
    return resolve(None, {"out": str(tmp_path / "run"), "intermediate": "mnli", "target": "xnli", "model": "kit",
                          "source": "data-dir", "data_dir": str(shared_data), "limit": 40, **extra})


def _lines(cfg) -> list[str]:
    return check_disjoint(phases.plan(cfg), lambda s, t: phases.source_rows(s, cfg, t), cfg.require_disjoint)


def test_overlap_is_said_and_stops_a_run_that_requires_disjoint_rows(tmp_path, shared_data, monkeypatch):
    cfg = _cfg(tmp_path, shared_data)
    assert _lines(cfg) == ["target-xnli reads mnli rows 0-39; intermediate-mnli reads rows 0-39 of it (mnli): 40 rows "
                           "in common (ids 0, 1, 2, ...), so intermediate-mnli is partly more target data"]
    ran: list[str] = []
    monkeypatch.setattr(phases, "run_stage", lambda stage, *a, **k: ran.append(stage.name))
    monkeypatch.setattr(phases, "base_encoder", lambda cfg, log: ran.append("phase1"))
    strict = _cfg(tmp_path, shared_data, require_disjoint=True)
    with pytest.raises(StiltsError, match=r"require_disjoint: target-xnli reads mnli rows 0-39.*skip\.xnli=N"):
        phases.run_experiment(strict, log=lambda m: None)
    assert ran == []                                              # nothing trained


def test_skip_moves_the_target_rows_past_the_intermediate_rows(tmp_path, shared_data):
    cfg = _cfg(tmp_path, shared_data, skip={"xnli": 40}, require_disjoint=True)
    rows = phases.train_rows("mnli", cfg, "xnli")
    assert rows["id"] == [str(i) for i in range(40, 80)]          # MNLI rows 40-79 for the XNLI stage ...
    assert phases.train_rows("mnli", cfg, "mnli")["id"][-1] == "39"   # ... and 0-39 for the intermediate stage
    assert _lines(cfg) == ["target-xnli reads mnli rows 40-79; intermediate-mnli reads rows 0-39 of it (mnli): no "
                           "row in common"]


def test_an_advmine_set_is_compared_by_the_english_rows_it_came_from(tmp_path, shared_data):
    from advmine.build import build
    from advmine.config import resolve as build_resolve

    adv = build(build_resolve(None, {"task": "mnli", "langs": ["sw"], "source": "data-dir",
                                     "data_dir": str(shared_data), "limit": 30, "embed": {"name": "hashing"},
                                     "out": str(tmp_path / "adv"), "cache_dir": str(tmp_path / "c")}),
                log=lambda m: None)["out"]
    cfg = resolve(None, {"out": str(tmp_path / "run"), "intermediate": adv, "target": "xnli", "model": "kit",
                         "source": "data-dir", "data_dir": str(shared_data), "limit": 40, "require_disjoint": True})
    with pytest.raises(StiltsError, match=r"target-xnli reads mnli rows 0-39; intermediate-adv reads rows 0-29 of it "
                                          r"\(.*adv\): 30 rows in common"):
        _lines(cfg)
    cfg.skip["xnli"] = 30
    assert _lines(cfg)[0].startswith("target-xnli reads mnli rows 30-69; intermediate-adv reads rows 0-29")


def test_skip_values_are_row_counts(tmp_path, shared_data):
    with pytest.raises(StiltsError, match=r"skip: \{.xnli.: -1\}: each value must be a row count >= 0"):
        _cfg(tmp_path, shared_data, skip={"xnli": -1})
    with pytest.raises(StiltsError, match=r"skip\.xnli=9999: mnli has only 8999 English training rows"):
        phases.train_rows("mnli", _cfg(tmp_path, shared_data, skip={"xnli": 9999}), "xnli")


def test_a_stage_task_can_have_its_own_row_limit(tmp_path, shared_data):
    cfg = _cfg(tmp_path, shared_data, limits={"xnli": 10}, skip={"xnli": 40})
    assert phases.train_rows("mnli", cfg, "xnli")["id"] == [str(i) for i in range(40, 50)]
    assert len(phases.train_rows("mnli", cfg, "mnli")) == 40              # the others keep `limit`
    with pytest.raises(StiltsError, match=r"limits: \{'xnli': 0\}: each value must be a row count >= 1"):
        _cfg(tmp_path, shared_data, limits={"xnli": 0})
