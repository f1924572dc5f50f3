"""stilts eval: zero-shot tables on the kit and on ../shared/data, retrieval, and tokenisation pitfalls."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import stilts
from stilts.core.errors import StiltsError
from stilts.eval.zero_shot import evaluate_task
from stilts.core.tasks import load
from stilts.train.config import resolve
from stilts.train.phases import run_experiment

TINY_KIT = {"kit.hidden": 32, "kit.layers": 1, "kit.vocab_size": 800, "kit.max_steps": 20, "kit.epochs": 1}
QUIET = {"log": lambda m: None}


@pytest.fixture(scope="module")
def kit_run(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("run") / "kit-xnli"
    cfg = resolve(None, {"out": str(run), "target": "xnli", "source": "kit", "model": "kit", "limit": 300,
                         "dev_limit": 60, **TINY_KIT, "train.max_steps": 10})
    run_experiment(cfg, **QUIET)
    return run


def test_eval_run_on_every_kit_language(kit_run):
    res = CliRunner().invoke(stilts, ["eval", str(kit_run), "--kit"])
    assert res.exit_code == 0, res.output
    data = json.loads((kit_run / "eval" / "xnli.json").read_text())
    assert set(data["languages"]) == {"en", "sw", "th", "ar", "ru", "zh", "hi"}
    for lang, entry in data["languages"].items():
        assert entry["rows"] == 300 and len(entry["predictions"]) == 300 and 0 <= entry["score"] <= 100
        assert entry["data_fingerprint"] and {"id", "pred", "gold"} <= set(entry["predictions"][0])
    s = data["summary"]
    assert s["gap"] == pytest.approx(s["en"] - s["avg_non_en"]) and len(data["model_fingerprint"]) == 16
    table = (kit_run / "eval" / "results.md").read_text()
    assert "| model | ar | en | hi | ru | sw | th | zh | avg (all, as XTREME) | avg (non-en) | gap (en - non-en) |" in table
    assert "not available from this source" in table  # bg, de, ... are not in the kit


def test_stripped_test_labels_fall_back_to_labelled_dev(kit_run, shared_data):
    r = evaluate_task(str(kit_run / "model"), "xnli", source="data-dir", data_dir=str(shared_data),
                      langs=["sw", "th"], limit=40, **QUIET)
    for entry in r["languages"].values():
        assert entry["split"] == "dev" and "labels are stripped" in entry["note"] and entry["score"] is not None


def test_skip_cuts_dev_into_selection_and_test_rows(kit_run, shared_data):
    """Model selection reads English dev rows 0..N-1; with skip=N the test rows are the rest, in every language."""
    r = evaluate_task(str(kit_run / "model"), "xnli", source="data-dir", data_dir=str(shared_data),
                      langs=["en", "sw"], skip=300, limit=25, **QUIET)
    dev_sw = load("xnli", "dev", "sw", source="data-dir", data_dir=str(shared_data))
    entry = r["languages"]["sw"]
    assert entry["rows"] == 25 and [p["id"] for p in entry["predictions"]] == list(dev_sw["id"][300:325])
    with pytest.raises(StiltsError, match="skip=5000 leaves none"):
        evaluate_task(str(kit_run / "model"), "xnli", source="data-dir", data_dir=str(shared_data), langs=["sw"],
                      skip=5000, **QUIET)


def test_a_head_for_another_task_is_refused(kit_run, shared_data):
    with pytest.raises(StiltsError, match="has a head with 3 labels; pawsx needs 2"):
        evaluate_task(str(kit_run / "model"), "pawsx", source="data-dir", data_dir=str(shared_data), **QUIET)


def test_retrieval_tasks_with_the_encoder(kit_run, shared_data):
    kw = {"source": "data-dir", "data_dir": str(shared_data), **QUIET}
    tat = evaluate_task(str(kit_run / "model"), "tatoeba", langs=["sw", "th"], limit=100, **kw)
    for e in tat["languages"].values():
        assert e["pool"] >= 100 and 0 <= e["score"] <= 100 and len(e["predictions"]) == 100  # en->xx: the selected xx rows are the pool
    bucc = evaluate_task(str(kit_run / "model"), "bucc", langs=["zh"], limit=400, **kw)["languages"]["zh"]
    assert {"f1", "precision", "recall", "threshold"} <= set(bucc["scores"]) and "threshold" in bucc["note"]
    lareqa = evaluate_task(str(kit_run / "model"), "lareqa", langs=["ar"], limit=20, **kw)["languages"]["ar"]
    assert lareqa["pool"] == 13014 and all(len(p["pred"]) == 20 for p in lareqa["predictions"])


def test_qa_and_tagging_across_scripts(tmp_path, kit_run, shared_data):
    """Answers are cut from the context by character offsets: Thai and Chinese (no spaces) and Arabic
    (right to left) need no special casing, and every prediction is a substring of its context; tagging
    predicts one tag per word even where sub-words split a word into many pieces."""
    from stilts.core.predict import predict
    from stilts.models import make_model
    from transformers import AutoTokenizer

    enc = kit_run / "target-xnli" / "model"  # its encoder, under new QA and tagging heads
    tok = AutoTokenizer.from_pretrained(enc)
    qa = make_model("span_qa", enc)
    for lang in ("th", "zh", "ar"):
        ds = load("xquad", "test", lang, data_dir=shared_data).select(range(8))
        preds = predict(qa, tok, ds, "span_qa", 128)
        assert len(preds) == 8 and all(p in c for p, c in zip(preds, ds["context"]))
    tagger = make_model("tagging", enc, 17)
    th = load("udpos", "test", "th", data_dir=shared_data, layout="ud_conllu").select(range(10))
    preds = predict(tagger, tok, th, "tagging", 256)
    assert [len(p) for p in preds] == [len(t) for t in th["tokens"]]


def test_mewslix_mrr_at_20_on_fixtures(kit_run):
    from conftest import FIXTURES

    r = evaluate_task(str(kit_run / "model"), "mewslix", source="data-dir", data_dir=str(FIXTURES / "data"),
                      langs=["de", "tr"], **QUIET)
    de = r["languages"]["de"]
    assert de["pool"] == 2 and de["rows"] == 2 and de["score"] >= 50.0  # two candidates: MRR is 1 or 1/2
    assert set(r["unavailable"]) == set() and r["languages"]["tr"]["score"] == 0.0  # Q3640 is not in the pool


def test_qa_score_is_the_xtreme_f1_em_mean(kit_run, shared_data, monkeypatch):
    """evaluate.py averages a QA task as (F1 + EM) / 2: `stilts eval` reports that, the number `stilts compare`
    bootstraps (its per-example statistics combined). Predictions are set: the gold answer, then every other one
    with an extra word (EM 0, F1 below 1)."""
    from stilts.eval import bootstrap as bs
    from stilts.core import predict
    from stilts.eval.zero_shot import markdown_table

    monkeypatch.setattr(predict, "predict", lambda model, tok, ds, kind, max_length, **_: [
        a["text"][0] + (" zzz" if i % 2 else "") for i, a in enumerate(ds["answers"])])
    r = evaluate_task(str(kit_run / "model"), "xquad", source="data-dir", data_dir=str(shared_data), langs=["de"],
                      limit=12, **QUIET)
    de = r["languages"]["de"]
    assert de["scores"]["exact_match"] == 50.0 and 50.0 < de["scores"]["f1"] < 100.0
    assert de["score"] == pytest.approx((de["scores"]["f1"] + de["scores"]["exact_match"]) / 2)
    _, stats = bs.example_stats("squad_f1_em", de["predictions"], "de")
    assert bs.score("squad_f1_em", stats) == pytest.approx(de["score"], abs=1e-9)
    assert "### xquad (squad_f1_em, scored as (F1 + EM) / 2)" in markdown_table([r], "kit")


def test_tatoeba_english_sentences_search_the_xx_ones(kit_run, shared_data):
    """XTREME's similarity_search(x=xx, y=en): each English sentence retrieves from the xx sentences; the old
    direction stays available as tatoeba_direction='xx->en'."""
    from transformers import AutoModel, AutoTokenizer

    from stilts.eval.retrieval import RetrievalConfig, embed, similarity_search

    kw = {"source": "data-dir", "data_dir": str(shared_data), "langs": ["sw"], "limit": 30, **QUIET}
    e = evaluate_task(str(kit_run / "model"), "tatoeba", **kw)["languages"]["sw"]
    ds = load("tatoeba", "test", "sw", source="data-dir", data_dir=str(shared_data)).select(range(30))
    model, tok = AutoModel.from_pretrained(kit_run / "model"), AutoTokenizer.from_pretrained(kit_run / "model")
    cfg = RetrievalConfig()
    hits = similarity_search(embed(model, tok, list(ds["query"]), cfg), embed(model, tok, list(ds["target"]), cfg))
    assert [p["pred"] for p in e["predictions"]] == [ds["id"][j] for j in hits] and e["pool"] == 30
    assert e["score"] == pytest.approx(100 * sum(int(j == i) for i, j in enumerate(hits)) / 30)
    assert "en->xx" in e["note"]
    back = evaluate_task(str(kit_run / "model"), "tatoeba", retrieval=RetrievalConfig(tatoeba_direction="xx->en"),
                         **kw)["languages"]["sw"]
    assert back["pool"] > 30 and "xx->en" in back["note"]  # the whole English file


def test_long_tagging_inputs_are_predicted_in_windows(kit_run):
    """A sentence longer than the max length is cut into word windows: every word gets a prediction."""
    from datasets import Dataset
    from transformers import AutoTokenizer

    from stilts.core.kinds.tagging import word_windows
    from stilts.core.predict import predict
    from stilts.models import make_model

    enc = kit_run / "target-xnli" / "model"
    tok = AutoTokenizer.from_pretrained(enc)
    words = "Nairobi ni mji mkuu wa Kenya .".split() * 40
    windows = word_windows(words, tok, 32)
    assert len(windows) > 5 and windows[0][0] == 0 and windows[-1][1] == len(words)
    assert all(a == b for (_, b), (a, _) in zip(windows, windows[1:]))          # contiguous, no gap or overlap
    ds = Dataset.from_dict({"tokens": [words, words[:5]], "tags": [[0] * len(words), [1] * 5]})
    preds = predict(make_model("tagging", enc, 7), tok, ds, "tagging", 32)
    assert [len(p) for p in preds] == [len(words), 5]


def test_eval_of_a_model_directory_writes_beside_it(tmp_path):
    """`stilts eval --model DIR` wrote into DIR/eval, the model cache of a converted model (issue 35, point 5)."""
    from stilts.eval.command import default_dest

    (tmp_path / "models" / "m").mkdir(parents=True)
    assert default_dest(None, str(tmp_path / "models" / "m")) == (tmp_path / "models" / "m-eval").resolve()
    assert default_dest(str(tmp_path / "run"), None) == tmp_path / "run" / "eval"
