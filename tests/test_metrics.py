"""Metrics against hand-computed values and the official scorers' documented behaviour."""
from __future__ import annotations

import pytest

from stilts.core.errors import StiltsError
from stilts.eval.metrics import average_precision_at, bucc_optimize, compute, normalize


def test_accuracy_and_seqeval_span_f1():
    assert compute("accuracy", [0, 1, 2, 2], [0, 1, 1, 2]) == {"accuracy": 75.0}
    refs = [["B-PER", "I-PER", "O", "B-LOC"]]
    # one of two gold spans found exactly, one wrong span predicted: P = 1/2, R = 1/2
    preds = [["B-PER", "I-PER", "O", "B-ORG"]]
    assert compute("seqeval_f1", preds, refs)["f1"] == pytest.approx(50.0)
    # a truncated span is wrong at span level though 2 of 3 tokens agree
    assert compute("seqeval_f1", [["B-PER", "O", "O", "B-LOC"]], refs)["f1"] == pytest.approx(50.0)


def test_pos_score_is_seqeval_over_bare_tags_as_xtreme_does():
    refs = [["NOUN", "VERB", "ADJ"]]
    assert compute("pos_f1", [["NOUN", "VERB", "ADJ"]], refs)["f1"] == 100.0
    assert compute("pos_f1", [["NOUN", "VERB", "NOUN"]], refs)["f1"] == pytest.approx(200 / 3)  # 2 of 3 tags
    # seqeval's quirk on bare tags, kept for comparability: equal neighbouring tags merge into one "chunk"
    assert compute("pos_f1", [["NOUN", "NOUN", "NOUN"]], [["NOUN", "VERB", "NOUN"]])["f1"] == 0.0


def test_squad_f1_em_hand_computed():
    s = compute("squad_f1_em", ["the Indian Ocean", "Kipini town"], [["Indian Ocean"], ["Kipini"]])
    # 1) articles removed -> exact; 2) tokens {kipini, town} vs {kipini}: P=1/2, R=1 -> F1=2/3
    assert s["exact_match"] == pytest.approx(50.0) and s["f1"] == pytest.approx(100 * (1 + 2 / 3) / 2)
    assert compute("squad_f1_em", ["x"], [["y", "x"]])["f1"] == 100.0  # max over gold answers


def test_mlqa_normalisation_arabic_and_chinese():
    # Arabic: every 'ال' is removed (MLQA's regex), punctuation of any script too
    assert normalize("الكتاب، الجديد", "ar", mlqa=True) == ["كتاب", "جديد"]
    assert compute("mlqa_f1_em", ["الكتاب"], [["كتاب"]], "ar")["exact_match"] == 100.0
    # Chinese: mixed segmentation, one token per CJK character; full-width punctuation dropped
    assert normalize("北京大学。", "zh", mlqa=True) == ["北", "京", "大", "学"]
    zh = compute("mlqa_f1_em", ["北京大学"], [["北京"]], "zh")
    assert zh["exact_match"] == 0.0 and zh["f1"] == pytest.approx(100 * 2 * (2 / 4 * 1) / (2 / 4 + 1))
    # Spanish and German articles, Vietnamese classifiers
    assert normalize("el perro", "es", mlqa=True) == ["perro"] and normalize("der Hund", "de", mlqa=True) == ["hund"]
    assert normalize("những con mèo", "vi", mlqa=True) == ["con", "mèo"]
    # the plain SQuAD script (XQuAD, TyDiQA) keeps Arabic's article and compares Chinese strings whole
    assert compute("squad_f1_em", ["北京大学"], [["北京"]], "zh")["f1"] == 0.0
    with pytest.raises(StiltsError, match="not 'th'"):
        normalize("x", "th", mlqa=True)


def test_map_at_20_and_mrr():
    assert average_precision_at(["a", "x", "b"], {"a", "b"}) == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert compute("map_at_20", [["x", "q"]], [["q"]])["map@20"] == pytest.approx(50.0)  # MRR@20 with one gold
    assert compute("map_at_20", [["x"] * 20 + ["q"]], [["q"]])["map@20"] == 0.0  # beyond rank 20


def test_bucc_threshold_as_xtreme_chooses_it():
    cands = [("s1", "t1", 0.9), ("s2", "t9", 0.8), ("s3", "t3", 0.7), ("s4", "t4", 0.2)]
    gold = {("s1", "t1"), ("s3", "t3")}
    threshold, f1 = bucc_optimize(cands, gold)
    assert threshold == pytest.approx((0.7 + 0.2) / 2) and f1 == pytest.approx(100 * 2 * (2 / 3) * 1 / (2 / 3 + 1))
    mined = {(s, t) for s, t, sc in cands if sc >= threshold}
    assert compute("bucc_f1", sorted(mined), sorted(gold))["recall"] == 100.0


def test_retrieval_accuracy():
    assert compute("retrieval_accuracy", [0, 2, 2], [0, 1, 2]) == {"accuracy": pytest.approx(200 / 3)}
