"""An intermediate stage and a later stage that read the same source task (XNLI trains on MNLI) are compared by
source row id before anything trains. By default the later stage's rows are moved past the intermediate's (issue
34, point 6), or the run stops in one line when none are left; `rows: shared` allows shared rows (said),
`require_disjoint` stops instead of moving, and `skip.<stage task>` moves the rows by hand (issue 24)."""
from __future__ import annotations

import pytest

import stilts.train.phases as phases
import stilts.train.rows as rows_mod
from stilts.core.errors import StiltsError
from stilts.train.config import resolve
from stilts.train.disjoint import check_disjoint
from stilts.train.stages import plan


def _cfg(tmp_path, shared_data, **extra):
    return resolve(None, {"out": str(tmp_path / "run"), "intermediate": "mnli", "target": "xnli", "model": "kit",
                          "source": "data-dir", "data_dir": str(shared_data), "limit": 40, **extra})


def _lines(cfg) -> list[str]:
    stages = plan(cfg)
    starts = rows_mod.disjoint_starts(cfg, stages)
    return check_disjoint(stages, lambda st, s: rows_mod.source_rows(s, phases.stage_config(cfg, st, starts), st.task),
                          cfg.require_disjoint)


def test_by_default_the_later_stage_reads_rows_past_the_intermediate_rows(tmp_path, shared_data, monkeypatch):
    cfg = _cfg(tmp_path, shared_data)
    stages = plan(cfg)
    assert rows_mod.disjoint_starts(cfg, stages) == {"target-xnli": 40}
    assert _lines(cfg) == ["target-xnli reads mnli rows 40-79; intermediate-mnli reads rows 0-39 of it (mnli): no "
                           "row in common"]
    seen: dict[str, list[str]] = {}

    def run_stage(stage, start, stage_cfg, *args, **kwargs):   # records the rows each stage would train on
        seen[stage.name] = rows_mod.train_rows(stage.sources[0], stage_cfg, stage.task)["id"]
        if stage.phase != "intermediate":
            raise KeyboardInterrupt   # stop before anything is written for the target stage
        return {"stage": stage.name}

    monkeypatch.setattr(phases, "run_stage", run_stage)
    monkeypatch.setattr(phases, "base_encoder", lambda cfg, log: "kit-encoder")
    monkeypatch.setattr(phases, "check_retrieval_layer", lambda cfg, enc: None)
    monkeypatch.setattr(phases, "mark_done", lambda *a, **k: None)
    logs: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        phases.run_experiment(cfg, log=logs.append)
    assert seen["intermediate-mnli"] == [str(i) for i in range(40)]
    assert seen["target-xnli"] == [str(i) for i in range(40, 80)]   # what the target stage trained on
    assert any("[rows] target-xnli reads mnli from row 40 (not 0)" in line and "rows=shared" in line for line in logs)
    # moved rows are other data: the target stage's key differs from a shared-rows run's, the intermediate's not
    shared = _cfg(tmp_path, shared_data, rows="shared")
    k_disjoint, k_shared = phases.stage_keys(cfg, stages), phases.stage_keys(shared, plan(shared))
    assert k_disjoint["target-xnli"] != k_shared["target-xnli"]
    panx = _cfg(tmp_path, shared_data, target="panx")
    assert k_disjoint["intermediate-mnli"] == phases.stage_keys(panx, plan(panx))["intermediate-mnli"]


def test_no_row_left_is_one_line_naming_the_settings(tmp_path, shared_data):
    cfg = _cfg(tmp_path, shared_data, limit=None, limits={"xnli": 10})
    with pytest.raises(StiltsError, match=r"^target-xnli trains on mnli's training rows, and intermediate-mnli reads up "
                                          r"to its last \(row 8998 of 8999\), so no row is left for it: pass --limit N"
                                          r".*--set skip\.xnli=N, or --set rows=shared"):
        rows_mod.disjoint_starts(cfg, plan(cfg))


def test_overlap_is_said_with_shared_rows_and_stops_a_run_that_requires_disjoint_rows(tmp_path, shared_data,
                                                                                       monkeypatch):
    cfg = _cfg(tmp_path, shared_data, rows="shared")
    assert rows_mod.disjoint_starts(cfg, plan(cfg)) == {}
    assert _lines(cfg) == ["target-xnli reads mnli rows 0-39; intermediate-mnli reads rows 0-39 of it (mnli): 40 rows "
                           "in common (ids 0, 1, 2, ...), so intermediate-mnli is partly more target data"]
    ran: list[str] = []
    monkeypatch.setattr(phases, "run_stage", lambda stage, *a, **k: ran.append(stage.name))
    monkeypatch.setattr(phases, "base_encoder", lambda cfg, log: ran.append("phase1"))
    strict = _cfg(tmp_path, shared_data, require_disjoint=True)
    assert rows_mod.disjoint_starts(strict, plan(strict)) == {}    # stops instead of moving
    with pytest.raises(StiltsError, match=r"require_disjoint: target-xnli reads mnli rows 0-39.*skip\.xnli=N"):
        phases.run_experiment(strict, log=lambda m: None)
    assert ran == []                                              # nothing trained


def test_skip_moves_the_target_rows_past_the_intermediate_rows(tmp_path, shared_data):
    cfg = _cfg(tmp_path, shared_data, skip={"xnli": 40}, require_disjoint=True)
    rows = rows_mod.train_rows("mnli", cfg, "xnli")
    assert rows["id"] == [str(i) for i in range(40, 80)]          # MNLI rows 40-79 for the XNLI stage ...
    assert rows_mod.train_rows("mnli", cfg, "mnli")["id"][-1] == "39"   # ... and 0-39 for the intermediate stage
    assert _lines(cfg) == ["target-xnli reads mnli rows 40-79; intermediate-mnli reads rows 0-39 of it (mnli): no "
                           "row in common"]


def test_an_advmine_set_is_compared_by_the_english_rows_it_came_from(tmp_path, shared_data):
    from advmine.build import build
    from advmine.config import resolve as build_resolve

    adv = build(build_resolve(None, {"task": "mnli", "langs": ["sw"], "source": "data-dir",
                                     "data_dir": str(shared_data), "limit": 30, "embed": {"name": "hashing"},
                                     "out": str(tmp_path / "adv"), "cache_dir": str(tmp_path / "c")}),
                log=lambda m: None)["out"]
    base = {"out": str(tmp_path / "run"), "intermediate": adv, "target": "xnli", "model": "kit",
            "source": "data-dir", "data_dir": str(shared_data), "limit": 40}
    moved = resolve(None, base)   # the default moves XNLI's rows past every row the build loaded (its pool)
    assert rows_mod.disjoint_starts(moved, plan(moved)) == {"target-xnli": 30}
    cfg = resolve(None, {**base, "require_disjoint": True})
    with pytest.raises(StiltsError, match=r"target-xnli reads mnli rows 0-39; intermediate-adv reads rows 0-29 of it "
                                          r"\(.*adv\): 30 rows in common"):
        _lines(cfg)
    cfg.skip["xnli"] = 30
    assert _lines(cfg)[0].startswith("target-xnli reads mnli rows 30-69; intermediate-adv reads rows 0-29")


def test_skip_values_are_row_counts(tmp_path, shared_data):
    with pytest.raises(StiltsError, match=r"skip: \{.xnli.: -1\}: each value must be a row count >= 0"):
        _cfg(tmp_path, shared_data, skip={"xnli": -1})
    with pytest.raises(StiltsError, match=r"skip\.xnli=9999: mnli has only 8999 English training rows"):
        rows_mod.train_rows("mnli", _cfg(tmp_path, shared_data, skip={"xnli": 9999}), "xnli")


def test_a_stage_task_can_have_its_own_row_limit(tmp_path, shared_data):
    cfg = _cfg(tmp_path, shared_data, limits={"xnli": 10}, skip={"xnli": 40})
    assert rows_mod.train_rows("mnli", cfg, "xnli")["id"] == [str(i) for i in range(40, 50)]
    assert len(rows_mod.train_rows("mnli", cfg, "mnli")) == 40              # the others keep `limit`
    with pytest.raises(StiltsError, match=r"limits: \{'xnli': 0\}: each value must be a row count >= 1"):
        _cfg(tmp_path, shared_data, limits={"xnli": 0})
