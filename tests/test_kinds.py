"""Task kinds (issue 15, point 1): one `TaskKind` per kind in one table, and no module outside
stilts/core/kinds branches on a kind's name."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasets import ClassLabel, Dataset, Features, Sequence, Value

from stilts.core.errors import StiltsError, UnknownNameError
from stilts.core.kinds import KINDS, TABLE, TaskKind, get_kind
from stilts.core.kinds.base import IGNORE, KEEP_AS_IS

ROOT = Path(__file__).resolve().parent.parent
LABELS = ["a", "b", "c"]
S = Value("string")

# Today's unified schema, written out: (fields besides id and lang, their features with LABELS as classes).
EXPECTED = {
    "pair_classification": {"text_a": S, "text_b": S, "label": ClassLabel(names=LABELS)},
    "single_classification": {"text": S, "label": ClassLabel(names=LABELS)},
    "multiple_choice": {"context": S, "question": S, "choices": Sequence(S), "label": Value("int32")},
    "span_qa": {"context": S, "question": S,
                "answers": {"text": Sequence(S), "answer_start": Sequence(Value("int32"))}},
    "tagging": {"tokens": Sequence(S), "tags": Sequence(ClassLabel(names=LABELS))},
    "retrieval": {"query": S, "target": S, "target_ids": Sequence(S)},
}
NONEMPTY = {"pair_classification": ("text_a", "text_b"), "single_classification": ("text",),
            "multiple_choice": (), "span_qa": ("context", "question"), "tagging": (), "retrieval": ("query",)}

ROWS = {
    "pair_classification": {"id": "1", "lang": "en", "text_a": "A man sleeps.", "text_b": "He rests.", "label": 0},
    "single_classification": {"id": "2", "lang": "en", "text": "Lovely film.", "label": 1},
    "multiple_choice": {"id": "3", "lang": "en", "context": "The glass fell.", "question": "effect",
                        "choices": ["It broke.", "It sang."], "label": 0},
    "span_qa": {"id": "4", "lang": "en", "context": "The river flows into the Ocean. It is long.",
                "question": "Where does it flow?", "answers": {"text": ["the Ocean"], "answer_start": [21]}},
    "tagging": {"id": "5", "lang": "en", "tokens": ["Kenya", "is", "big"], "tags": [0, 1, 2]},
    "retrieval": {"id": "6", "lang": "en", "query": "Where is Nairobi?", "target": "Nairobi is in Kenya.",
                  "target_ids": ["t1"]},
}

INTERFACE = ["field_features", "features", "check_row", "is_labelled", "has_gold", "texts_to_translate",
             "check_translator", "rebuild", "apply_translation", "perturb_fields", "document", "texts_to_embed",
             "selection_points", "classifier_texts", "head_kwargs", "training_rows", "encode_kwargs",
             "encode_batch", "decode", "prediction_inputs", "predictions", "dev_inputs", "zero_shot"]


def test_table_lists_every_kind_in_todays_order():
    assert KINDS == ("pair_classification", "single_classification", "multiple_choice", "span_qa", "tagging",
                     "retrieval")
    assert set(TABLE) == {*KINDS, "mlm"} and not TABLE["mlm"].is_task
    for name, kind in TABLE.items():
        assert isinstance(kind, TaskKind) and kind.name == name and get_kind(name) is kind
        modules = {type(kind).__module__, *(c.__module__ for c in type(kind).__mro__)}
        assert f"stilts.core.kinds.{name}" in modules   # one module per kind


def test_unknown_kind_says_did_you_mean():
    with pytest.raises(UnknownNameError, match=r"unknown task kind 'span_q'; did you mean: span_qa\?"):
        get_kind("span_q")


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_implements_the_full_interface(name):
    kind = get_kind(name)
    for method in INTERFACE:
        assert callable(getattr(kind, method)), method
    row = ROWS[name]
    assert kind.fields and set(kind.nonempty_text) <= set(kind.fields) and kind.task_category
    assert kind.signature and kind.signature <= set(kind.fields)
    assert kind.langid_field in kind.fields and set(kind.document_fields) <= set(kind.fields)
    assert (kind.head is None) == kind.dual_encoder   # a head, or the encoder alone
    assert kind.tokenises and not kind.scored_by_loss
    assert all(isinstance(t, str) and t for t in kind.texts_to_translate(row))
    assert all(isinstance(t, str) and t for t in kind.texts_to_embed(row))
    assert kind.document(row) and set(kind.perturb_fields("both")) <= set(kind.fields)
    assert isinstance(kind.head_kwargs(3), dict) and isinstance(kind.encode_kwargs(256), dict)
    ds = Dataset.from_list([row], features=kind.features(LABELS))
    assert kind.is_labelled(ds) and not kind.is_labelled(ds.select([]))
    if kind.classifies:
        assert all(len(t) == 1 for t in kind.classifier_texts([row]))


@pytest.mark.parametrize("name", KINDS)
def test_schema_features_per_kind_are_todays(name):
    from stilts.core.tasks.schema import features

    kind = get_kind(name)
    expected = Features({"id": S, "lang": S, **EXPECTED[name]})
    assert kind.features(LABELS) == expected == features(name, LABELS)
    assert kind.fields == tuple(EXPECTED[name]) and kind.nonempty_text == NONEMPTY[name]
    if name == "tagging":   # no label names: an open tag set, tags stay strings
        assert kind.features(None)["tags"] == Sequence(S)


@pytest.mark.parametrize("name", KINDS)
def test_translate_and_rebuild_round_trip(name):
    kind, row = get_kind(name), ROWS[name]
    same, reason = kind.rebuild(row, {})
    assert reason is None and same == row                       # nothing translated: the row comes back
    upper = {s: s.upper() for s in kind.texts_to_translate(row)}
    new, reason = kind.rebuild(row, upper)
    assert reason is None and set(new) == set(row)
    assert kind.texts_to_translate(new) == [upper[s] for s in kind.texts_to_translate(row)]
    for f in ("label", "tags", "target_ids", "id", "lang"):    # labels and ids never change
        assert new.get(f) == row.get(f)
    if name == "span_qa":  # the answer is found again in the translated context
        a = new["answers"]
        assert new["context"][a["answer_start"][0]:][:len(a["text"][0])] == a["text"][0] == "THE OCEAN"


def test_rebuild_drops_what_cannot_be_kept():
    qa = get_kind("span_qa")
    assert qa.rebuild(ROWS["span_qa"], {"the Ocean": "ziwa"}) == (None, "answer_not_found")
    pair = get_kind("pair_classification")
    assert pair.rebuild(ROWS["pair_classification"], {"A man sleeps.": " "}) == (None, "empty_translation")
    mc = get_kind("multiple_choice")   # COPA's keyword question stays as it is
    assert "effect" in KEEP_AS_IS and "effect" not in mc.texts_to_translate(ROWS["multiple_choice"])
    tagging = get_kind("tagging")      # a dropped word keeps its source token, so its tag keeps a token
    assert tagging.rebuild(ROWS["tagging"], {"is": ""})[0]["tokens"] == ["Kenya", "is", "big"]


def test_translators_that_cannot_keep_tags_aligned_are_refused():
    class Sentences:
        name, word_level = "marian", False

    with pytest.raises(StiltsError, match="pos is a tagging task: .* marian translates whole sentences"):
        get_kind("tagging").check_translator("pos", Sentences())
    for name in KINDS[:4]:
        get_kind(name).check_translator("x", Sentences())


def test_selection_points_and_their_absence():
    vec = {t: np.ones(4, dtype=np.float32) for name, row in ROWS.items() for t in get_kind(name).texts_to_embed(row)}
    assert [p[1:] for p in get_kind("multiple_choice").selection_points(ROWS["multiple_choice"], vec)] == \
        [(1, True), (0, False)]
    assert [p[1:] for p in get_kind("span_qa").selection_points(ROWS["span_qa"], vec)] == [(1, True), (0, False)]
    assert get_kind("pair_classification").selection_points(ROWS["pair_classification"], vec)[0][0].shape == (8,)
    for name in ("tagging", "retrieval"):
        with pytest.raises(StiltsError, match=f"a {name} task has none here"):
            get_kind(name).selection_points(ROWS[name], vec)


def test_todays_per_kind_tables_are_kept():
    """The values the old parallel dicts held, now asked of each kind."""
    cat = {k: get_kind(k).task_category for k in KINDS}
    assert cat == {"pair_classification": "text-classification", "single_classification": "text-classification",
                   "multiple_choice": "multiple-choice", "span_qa": "question-answering",
                   "tagging": "token-classification", "retrieval": "sentence-similarity"}
    assert {k: get_kind(k).langid_field for k in KINDS} == {
        "pair_classification": "text_a", "single_classification": "text", "multiple_choice": "context",
        "span_qa": "context", "tagging": "tokens", "retrieval": "query"}
    assert get_kind("pair_classification").perturb_fields("a") == ["text_a"]
    assert get_kind("pair_classification").perturb_fields("both") == ["text_a", "text_b"]
    assert get_kind("tagging").perturb_fields("both") == []
    assert {k: get_kind(k).head for k in TABLE} == {
        "pair_classification": "AutoModelForSequenceClassification",
        "single_classification": "AutoModelForSequenceClassification",
        "multiple_choice": "AutoModelForMultipleChoice", "span_qa": "AutoModelForQuestionAnswering",
        "tagging": "AutoModelForTokenClassification", "retrieval": None, "mlm": "AutoModelForMaskedLM"}
    assert {k: get_kind(k).head_kwargs(5) for k in TABLE} == {
        "pair_classification": {"num_labels": 5}, "single_classification": {"num_labels": 5},
        "multiple_choice": {}, "span_qa": {"num_labels": 2}, "tagging": {"num_labels": 5}, "retrieval": {},
        "mlm": {}}
    assert get_kind("span_qa").encode_kwargs(384) == {"stride": 96}
    assert get_kind("span_qa").encode_kwargs(1024) == {"stride": 128}
    assert [k for k in KINDS if get_kind(k).needs_labels] == ["pair_classification", "single_classification"]
    assert get_kind("mlm").scored_by_loss and not get_kind("mlm").tokenises


def test_column_mappings_name_their_kind_as_before():
    from stilts.core.tasks.custom import infer_kind

    for name in KINDS:
        assert infer_kind({f: f for f in get_kind(name).fields}) == name
    assert infer_kind({"text": "t", "query": "q"}) == "retrieval"          # the most specific signature first
    assert infer_kind({"choices": "c", "answers": "a"}) == "multiple_choice"
    with pytest.raises(StiltsError, match="name the unified fields of a task kind"):
        infer_kind({"label": "y"})


def test_zero_shot_and_dev_inputs_per_kind():
    tagging = get_kind("tagging")
    ds = Dataset.from_list([ROWS["tagging"]], features=tagging.features(LABELS))
    preds, golds, note = tagging.zero_shot([[0, 1]], ds, LABELS)
    assert golds == [["a", "b", "c"]] and preds == [["a", "b", "O"]] and "1 words with no sub-token" in note
    feats = {"labels": [[IGNORE, 2, IGNORE, 0]]}
    assert tagging.dev_inputs({0: [2, 0]}, None, feats, LABELS) == ([["c", "a"]], [["c", "a"]])
    assert get_kind("single_classification").dev_inputs({1: 0, 0: 1}, None, {"labels": [1, 1]}, None) == \
        ([1, 0], [1, 1])
    qa = get_kind("span_qa")
    ds = Dataset.from_list([ROWS["span_qa"]], features=qa.features(None))
    assert qa.predictions({"4": (1.0, 21, 30)}, ds, None) == ["the Ocean"]
    assert qa.zero_shot(["x"], ds, None) == (["x"], [["the Ocean"]], "")


# `kind == "span_qa"`, `kind != 'tagging'`, `kind in ("pair_classification", ...)`, a dict keyed by kind names
# (`{"span_qa": ...}`, the old parallel tables) and name tests such as `kind.endswith("classification")`
_NAMES = "|".join(KINDS + ("mlm",))
BRANCH = re.compile(rf"""(==|!=|\bin)\s*[(\[{{]?\s*["']({_NAMES})["']|["']({_NAMES})["']\s*(==|!=|:)"""
                    rf"""|\.(endswith|startswith)\(\s*["'](classification|_qa|pair|single)""")


def test_no_module_outside_the_kinds_branches_on_a_kind_name():
    found = []
    for path in sorted([*ROOT.glob("advmine/**/*.py"), *ROOT.glob("stilts/**/*.py"), ROOT / "cli.py"]):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("stilts/core/kinds/"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BRANCH.search(line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_branch_pattern_catches_todays_forms():
    for line in ('if kind == "span_qa":', "if spec.kind != 'multiple_choice' and x:",
                 'if kind in ("pair_classification", "single_classification"):', 'fn = f if kind != "mlm" else g',
                 'kind.endswith("classification")', 'HEADS = {"tagging": "AutoModelForTokenClassification"}'):
        assert BRANCH.search(line), line
    assert not BRANCH.search('if structure == "flat":')
    assert not BRANCH.search('make_evaluator("mlm", None, dev, pad, "mlm_loss")')  # naming a kind is no branch


def test_the_kinds_import_no_torch():
    code = "import sys, stilts.core.kinds, stilts.core.features; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
