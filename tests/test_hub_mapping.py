"""The hub path maps each dataset's documented hub schema into the unified one.

No network: `datasets.load_dataset` is replaced by a stand-in that returns two rows with the hub dataset's
columns and feature types (as documented on its card/loading script), so the column mappings, ClassLabel
conversions and label maps in the specs are exercised for real.
"""
from __future__ import annotations

import datasets
import pytest
from datasets import ClassLabel, Dataset, Features, Sequence, Value

import stilts.core.tasks.loader as loader
from stilts.core.tasks import get_task, load

S, I = Value("string"), Value("int32")
NLI = ClassLabel(names=["entailment", "neutral", "contradiction"])
ANS = {"text": Sequence(S), "answer_start": Sequence(I)}
CTX = "Nairobi is the capital of Kenya."
QA_ROWS = {"id": ["a", "b"], "title": ["t", "t"], "context": [CTX, CTX], "question": ["Capital?", "Country?"],
           "answers": [{"text": ["Nairobi"], "answer_start": [0]}, {"text": ["Kenya"], "answer_start": [26]}]}
QA_FEATS = {"id": S, "title": S, "context": S, "question": S, "answers": ANS}

# task -> (hub columns and features, two rows, expected unified labels/targets of the two rows)
HUB = {
    "mnli": ({"premise": S, "hypothesis": S, "label": NLI, "idx": I},
             {"premise": ["a", "b"], "hypothesis": ["c", "d"], "label": [0, 2], "idx": [7, 8]}, [0, 2]),
    "xnli": ({"premise": S, "hypothesis": S, "label": NLI},
             {"premise": ["a", "b"], "hypothesis": ["c", "d"], "label": [1, 2]}, [1, 2]),
    "anli": ({"uid": S, "premise": S, "hypothesis": S, "label": NLI, "reason": S},
             {"uid": ["u1", "u2"], "premise": ["a", "b"], "hypothesis": ["c", "d"], "label": [2, 0], "reason": ["", ""]}, [2, 0]),
    "snli": ({"premise": S, "hypothesis": S, "label": NLI},
             {"premise": ["a", "b"], "hypothesis": ["c", "d"], "label": [0, -1]}, [0, -1]),
    "qqp": ({"question1": S, "question2": S, "label": ClassLabel(names=["not_duplicate", "duplicate"]), "idx": I},
            {"question1": ["a", "b"], "question2": ["c", "d"], "label": [1, 0], "idx": [1, 2]}, [1, 0]),
    "sst2": ({"sentence": S, "label": ClassLabel(names=["negative", "positive"]), "idx": I},
             {"sentence": ["bad", "good"], "label": [0, 1], "idx": [1, 2]}, [0, 1]),
    "pawsx": ({"id": I, "sentence1": S, "sentence2": S, "label": ClassLabel(names=["0", "1"])},
              {"id": [1, 2], "sentence1": ["a", "b"], "sentence2": ["c", "d"], "label": [1, 0]}, [1, 0]),
    "hellaswag": ({"ind": I, "activity_label": S, "ctx_a": S, "ctx_b": S, "ctx": S, "endings": Sequence(S),
                   "source_id": S, "split": S, "split_type": S, "label": S},
                  {"ind": [1, 2], "activity_label": ["x", "y"], "ctx_a": ["a", "b"], "ctx_b": ["", ""], "ctx": ["a", "b"],
                   "endings": [["1", "2", "3", "4"]] * 2, "source_id": ["s", "s"], "split": ["val", "val"],
                   "split_type": ["indomain"] * 2, "label": ["3", "0"]}, [3, 0]),
    "commonsenseqa": ({"id": S, "question": S, "question_concept": S,
                       "choices": Sequence({"label": S, "text": S}), "answerKey": S},
                      {"id": ["q1", "q2"], "question": ["Where?", "What?"], "question_concept": ["x", "y"],
                       "choices": [{"label": list("ABCDE"), "text": list("vwxyz")}] * 2, "answerKey": ["E", "B"]}, [4, 1]),
    "cosmosqa": ({"id": S, "context": S, "question": S, "answer0": S, "answer1": S, "answer2": S, "answer3": S,
                  "label": I},
                 {"id": ["c1", "c2"], "context": ["c", "d"], "question": ["q", "r"], "answer0": ["a", "a"],
                  "answer1": ["b", "b"], "answer2": ["c", "c"], "answer3": ["d", "d"], "label": [3, 1]}, [3, 1]),
    "siqa": ({"context": S, "question": S, "answerA": S, "answerB": S, "answerC": S, "label": S},
             {"context": ["c", "d"], "question": ["q", "r"], "answerA": ["a", "a"], "answerB": ["b", "b"],
              "answerC": ["c", "c"], "label": ["1", "3"]}, [0, 2]),
    "copa": ({"premise": S, "choice1": S, "choice2": S, "question": S, "idx": I,
              "label": ClassLabel(names=["choice1", "choice2"])},
             {"premise": ["p", "q"], "choice1": ["a", "b"], "choice2": ["c", "d"], "question": ["cause", "effect"],
              "idx": [0, 1], "label": [1, 0]}, [1, 0]),
    "xcopa": ({"premise": S, "choice1": S, "choice2": S, "question": S, "label": I, "idx": I, "changed": Value("bool")},
              {"premise": ["p", "q"], "choice1": ["a", "b"], "choice2": ["c", "d"], "question": ["cause", "effect"],
               "label": [0, 1], "idx": [0, 1], "changed": [False, False]}, [0, 1]),
    "panx": ({"tokens": Sequence(S), "ner_tags": Sequence(ClassLabel(names=["O", "B-PER", "I-PER", "B-ORG", "I-ORG",
                                                                           "B-LOC", "I-LOC"])), "langs": Sequence(S)},
             {"tokens": [["Amina", "Mohamed"], ["Nairobi"]], "ner_tags": [[1, 2], [5]], "langs": [["sw"] * 2, ["sw"]]},
             [[1, 2], [5]]),
    "udpos": ({"tokens": Sequence(S), "pos_tags": Sequence(ClassLabel(names=[
                "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
                "SCONJ", "SYM", "VERB", "X"]))},
              {"tokens": [["Cats", "sleep"], ["Go"]], "pos_tags": [[7, 15], [15]]}, [[7, 15], [15]]),
    "squad": (QA_FEATS, QA_ROWS, [["Nairobi"], ["Kenya"]]),
    "xquad": ({k: v for k, v in QA_FEATS.items() if k != "title"}, {k: v for k, v in QA_ROWS.items() if k != "title"},
              [["Nairobi"], ["Kenya"]]),
    "mlqa": (QA_FEATS, QA_ROWS, [["Nairobi"], ["Kenya"]]),
    "tydiqa": (QA_FEATS, {**QA_ROWS, "id": ["swahili-1", "english-2"]}, [["Nairobi"]]),  # one config, all languages
    "tatoeba": ({"sentence1": S, "sentence2": S}, {"sentence1": ["Habari", "Asante"], "sentence2": ["Hello", "Thanks"]},
                [["eng-0"], ["eng-1"]]),
    "bucc": ({"source_sentence": S, "target_sentence": S, "source_lang": S, "target_lang": S},
             {"source_sentence": ["Hallo", "Danke"], "target_sentence": ["Hello", "Thanks"],
              "source_lang": ["de-1", "de-2"], "target_lang": ["en-1", "en-2"]}, [["eng-0"], ["eng-1"]]),
}
LANG = {"xnli": "sw", "pawsx": "de", "xcopa": "sw", "panx": "sw", "udpos": "th", "xquad": "th", "mlqa": "ar",
        "tydiqa": "sw", "tatoeba": "sw", "bucc": "de"}


@pytest.fixture
def fake_hub(monkeypatch):
    calls = []

    def fake_load_dataset(path, name=None, split=None, **kw):
        calls.append((path, name, split))
        fake_load_dataset.kwargs = kw
        task = fake_load_dataset.task
        feats, rows, _ = HUB[task]
        return Dataset.from_dict(rows, features=Features(feats))

    monkeypatch.setattr(loader, "require_hub", lambda what, instead: None)
    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    fake_load_dataset.calls = calls
    return fake_load_dataset


@pytest.mark.parametrize("task", sorted(HUB))
def test_hub_schema_maps_into_unified(fake_hub, task):
    spec = get_task(task)
    fake_hub.task = task
    split = "test" if "test" in spec.hub.splits and task in LANG else ("dev" if "dev" in spec.hub.splits else "test")
    ds = load(task, split, LANG.get(task), source="hub")
    path, config, hub_split = fake_hub.calls[-1]
    assert path == spec.hub.path and hub_split == spec.hub.splits[split]
    if spec.hub.config:
        assert config == spec.hub.config.format(lang=LANG.get(task, "en"), code=spec.code(LANG.get(task, "en")))
    expected = HUB[task][2]
    column = {"span_qa": "answers", "tagging": "tags", "retrieval": "target_ids"}.get(spec.kind, "label")
    got = ds[column]
    if spec.kind == "span_qa":
        got = [a["text"] for a in got]
    assert got == expected
    assert set(ds["lang"]) == {LANG.get(task, "en")} and len(set(ds["id"])) == len(expected)
    assert fake_hub.kwargs.get("revision") == spec.hub.revision  # the parquet export where the repo has a script


SCRIPT_REPOS = {"facebook/mlqa", "juletxara/tydiqa_xtreme", "allenai/social_i_qa", "allenai/cosmos_qa",
                "aps/super_glue", "google-research-datasets/xquad_r"}  # docs/hub-sources.md


def test_no_spec_loads_a_repository_that_holds_a_loading_script():
    from stilts.core.tasks import list_tasks

    for spec in list_tasks():
        if spec.hub and spec.hub.path in SCRIPT_REPOS:
            assert spec.hub.revision == "refs/convert/parquet", spec.name


def test_parquet_export_folder_and_language_filter_reach_load_dataset(fake_hub):
    fake_hub.task = "siqa"
    load("siqa", "dev", source="hub")
    passed = {k: v for k, v in fake_hub.kwargs.items() if k != "cache_dir"}
    assert passed == {"revision": "refs/convert/parquet", "data_dir": "default"}
    fake_hub.task = "tydiqa"
    assert load("tydiqa", "train", "en", source="hub")["id"] == ["english-2"]


def test_hub_split_arithmetic_for_anli_rounds():
    assert get_task("anli").hub.splits["train"] == "train_r1+train_r2+train_r3"


def test_hub_copy_without_a_language_points_to_data_dir():
    with pytest.raises(Exception) as e:
        load("udpos", "test", "wo", source="hub")
    assert "has no wo" in str(e.value) and "--data-dir" in str(e.value)


# ---- stilts tasks --check-hub, offline against a stand-in hub ---------------------------------------------------

def test_check_hub_offline_is_one_line():
    from click.testing import CliRunner

    from cli import stilts

    res = CliRunner().invoke(stilts, ["tasks", "--check-hub"])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines()[-1].startswith("error: cannot reach the Hugging Face hub for the hub check")


def test_check_hub_reports_each_task_language_and_model(monkeypatch):
    """A stand-in hub: streamed rows with each dataset's documented columns; one repo 'still holds a script'
    and one model id does not exist, and the table says so in one line each."""
    from click.testing import CliRunner

    import stilts.core.hub as hubmod
    import stilts.compare.hub_check as hc
    from cli import stilts

    class Stream(list):
        def __init__(self, rows, features):
            super().__init__(rows)
            self.features = features

    def fake_load_dataset(path, config=None, split=None, streaming=False, **kw):
        assert streaming, "the check must stream, not download whole splits"
        if path == "facebook/xnli" and config == "sw":
            raise RuntimeError("Dataset scripts are no longer supported, but found xnli.py")
        feats, rows, _ = HUB["xnli"]
        return Stream([dict(zip(rows, vals)) for vals in zip(*rows.values())], Features(feats))

    def fake_model(model_id):
        if "opus-mt-en-mul" in model_id:
            raise OSError(f"{model_id} is not a valid model identifier")
        return "xlm-roberta, XLMRobertaTokenizerFast, vocab 250002"

    monkeypatch.setattr(hubmod, "hub_reachable", lambda *a, **k: True)
    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    monkeypatch.setattr(hc, "model_check", fake_model)
    res = CliRunner().invoke(stilts, ["tasks", "--check-hub", "--tasks", "xnli", "--langs", "en,sw,th"])
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["kind", "name", "what", "status", "detail"]
    rows = {tuple(line.split()[:3]): line for line in lines[2:-1]}
    assert "ok" in rows[("dataset", "xnli", "th/test")] and "2 rows from facebook/xnli (th) [test]" in rows[("dataset", "xnli", "th/test")]
    assert {("dataset", "xnli", "en/train"), ("dataset", "xnli", "en/dev")} <= set(rows)
    assert "FAIL" in rows[("dataset", "xnli", "sw/test")] and "scripts are no longer supported" in rows[("dataset", "xnli", "sw/test")]
    assert lines[-1] == "4 ok, 1 failed" and res.exit_code == 1
    models = [m for _, m in hc.default_models()]
    assert models[0] == "xlm-roberta-large" and "facebook/nllb-200-distilled-600M" in models
    checks = hc.run_checks([c for c in hc.plan_checks(models=True) if c.kind == "model"])
    assert any(r["status"] == "FAIL" and "opus-mt-en-mul" in r["detail"] for r in checks)
