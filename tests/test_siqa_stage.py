"""XCOPA's hidden SIQA stage when the data dir has no SIQA train file (issue 24; ../shared/data holds only the labelled
dev and test files): a layout variant trains on the test file and selects on dev, and the stage says so."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import stilts.train.phases as phases
from advmine.tiny import build_tiny_xlmr
from stilts.core.tasks import load, split_files, stand_in_note
from stilts.train.config import resolve

SIQA_TEST = "siqa/socialIQa_v1.4_tst.jsonl"
SIQA_DEV = "siqa/socialIQa_v1.4_dev.jsonl"


def test_siqa_without_its_train_file_trains_on_the_test_file(shared_data):
    train = load("siqa", "train", data_dir=shared_data)
    test, dev = load("siqa", "test", data_dir=shared_data), load("siqa", "dev", data_dir=shared_data)
    assert (len(train), len(dev)) == (2224, 1954) and train["context"] == test["context"]
    assert not set(train["context"]) & set(dev["context"])          # training and selection rows are disjoint
    lay, files = split_files("siqa", "train", data_dir=shared_data)
    assert lay.name == "v1.4_test_as_train" and files == [str(shared_data / SIQA_TEST)]
    note = stand_in_note("siqa", "train", data_dir=shared_data)
    assert "no train file" in note and SIQA_TEST in note and "v1.4_test_as_train" in note
    assert stand_in_note("siqa", "dev", data_dir=shared_data) == ""


def test_siqa_train_file_wins_when_present(tmp_path, shared_data):
    (tmp_path / "siqa").mkdir()
    shutil.copy(shared_data / SIQA_DEV, tmp_path / SIQA_DEV)
    lines = (shared_data / SIQA_TEST).read_text(encoding="utf-8").splitlines()[:5]
    (tmp_path / "siqa" / "socialIQa_v1.4_trn.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(load("siqa", "train", data_dir=tmp_path)) == 5
    assert stand_in_note("siqa", "train", data_dir=tmp_path) == ""


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory, shared_data) -> Path:
    texts = [r["context"] for r in load("siqa", "dev", data_dir=shared_data).select(range(300))]
    return build_tiny_xlmr(tmp_path_factory.mktemp("enc"), texts, hidden=32, layers=1, vocab_size=200)


def test_xcopa_trains_its_siqa_stage_on_the_shared_data(tmp_path, shared_data, tiny_encoder):
    logs: list[str] = []
    cfg = resolve(None, {"out": str(tmp_path / "run"), "target": "xcopa", "model": str(tiny_encoder),
                         "data_dir": str(shared_data), "source": "data-dir", "limit": 8, "dev_limit": 8,
                         "train.max_steps": 1, "train.batch_size": 4, "train.grad_accum": 1})
    result = phases.run_experiment(cfg, log=logs.append)
    siqa, xcopa = result["scores"]
    assert (siqa["stage"], siqa["train_rows"], siqa["dev_rows"]) == ("hidden-siqa", 8, 8)
    assert SIQA_TEST in siqa["data_note"] and "data_note" not in xcopa
    said = [line for line in logs if "v1.4_test_as_train" in line]
    assert len(said) == 1 and said[0].startswith("[hidden-siqa] siqa train: no train file")
