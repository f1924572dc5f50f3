"""English dev rows without gold (XTREME's TyDiQA-GoldP dev answers are stripped) stop a run in one line, naming the
file and what to pass instead, before anything trains, rather than selecting a model on zeros (issue 24)."""
from __future__ import annotations

import shutil

import pytest

import stilts.train.phases as phases
from stilts.core.errors import UnlabelledSplitError
from stilts.core.tasks import get_task
from stilts.train.config import resolve

SIQA_DEV = "siqa/socialIQa_v1.4_dev.jsonl"


def test_tydiqa_dev_without_answers_stops_in_one_line(tmp_path, shared_data):
    cfg = resolve(None, {"out": str(tmp_path / "run"), "target": "tydiqa", "model": "kit",
                         "data_dir": str(shared_data), "source": "data-dir"})
    with pytest.raises(UnlabelledSplitError) as e:
        phases.dev_rows(get_task("tydiqa"), cfg)
    msg = str(e.value)
    assert "\n" not in msg and "tydiqa.goldp.en.dev.json.gz" in msg and "none of its 440 rows has a gold label" in msg
    assert "--data-dir DIR whose tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.en.dev.json holds gold labels" in msg
    assert "hub copy (google/xtreme)" in msg


def test_any_kind_with_unlabelled_dev_stops_before_any_stage_trains(tmp_path, shared_data, monkeypatch):
    """PAWS-X's stripped test file laid out as its dev file: a classification dev split without labels; the run
    stops at its start, before the intermediate stage or the phase-1 model."""
    for folder in ("pawsx", "siqa"):
        (tmp_path / "data" / folder).mkdir(parents=True)
    shutil.copy(shared_data / "pawsx" / "test-en.tsv.gz", tmp_path / "data" / "pawsx" / "dev-en.tsv.gz")
    shutil.copy(shared_data / SIQA_DEV, tmp_path / "data" / SIQA_DEV)
    ran: list[str] = []
    monkeypatch.setattr(phases, "run_stage", lambda stage, *a, **k: ran.append(stage.name))
    monkeypatch.setattr(phases, "base_encoder", lambda cfg, log: ran.append("phase1"))
    cfg = resolve(None, {"out": str(tmp_path / "run"), "intermediate": "siqa", "target": "pawsx", "model": "kit",
                         "data_dir": str(tmp_path / "data"), "source": "data-dir"})
    with pytest.raises(UnlabelledSplitError, match=r"pawsx: model selection reads the English dev rows of .*"
                       r"dev-en\.tsv\.gz, and none of its 500 rows has a gold label"):
        phases.run_experiment(cfg, log=lambda m: None)
    assert ran == []
