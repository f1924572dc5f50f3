"""Scores equal google-research/xtreme's official scorers (issue 13 item 6): each expected value below is worked out
by hand from the official function named beside it, on inputs where the project used to differ."""
from __future__ import annotations

import math

import numpy as np
import pytest

from stilts.eval import bootstrap as bs
from stilts.core.errors import StiltsError
from stilts.eval.metrics import average_precision_at, bucc_optimize, chunks_0012, compute, get_metric, task_score
from stilts.eval.retrieval import RetrievalConfig, mine_bitext, similarity_search


# ---- QA: third_party/evaluate_squad.py and evaluate_mlqa.py -------------------------------------------------------

def test_answers_that_normalise_to_nothing_score_f1_0_and_em_1():
    # f1_score: num_same == 0 -> 0, also for '' vs ''; exact_match_score: '' == '' -> True
    assert compute("squad_f1_em", ["the"], [["a"]]) == {"f1": 0.0, "exact_match": 100.0}
    assert compute("squad_f1_em", ["..."], [["An"]]) == {"f1": 0.0, "exact_match": 100.0}
    # metric_max_over_ground_truths: F1 and EM each take their best gold, here both from "Paris!"
    assert compute("squad_f1_em", ["Paris"], [["an", "Paris!"]]) == {"f1": 100.0, "exact_match": 100.0}
    # MLQA's normalize_answer per language: Spanish articles, Chinese punctuation, Arabic 'ال' all vanish
    for lang, pred, gold in (("es", "la", "el"), ("zh", "。", "，"), ("ar", "ال", "ال")):
        assert compute("mlqa_f1_em", [pred], [[gold]], lang) == {"f1": 0.0, "exact_match": 100.0}


def test_qa_task_score_is_f1_em_mean_in_eval_and_in_compare():
    # evaluate.py: a QA task's avg_metric is (avg_exact_match + avg_f1) / 2
    preds, golds = ["the", "Kipini town"], [["a"], ["Kipini"]]
    scores = compute("squad_f1_em", preds, golds)
    # 1) F1 0, EM 1; 2) F1 2 * (1/2 * 1) / (1/2 + 1) = 2/3, EM 0  ->  F1 = 100 * (2/3) / 2, EM = 50
    assert scores["f1"] == pytest.approx(100 / 3) and scores["exact_match"] == 50.0
    assert task_score("squad_f1_em", scores) == pytest.approx((100 / 3 + 50) / 2)
    stats = get_metric("squad_f1_em").per_example(preds, golds, "en")
    np.testing.assert_allclose(stats, [[0.0, 1.0], [2 / 3, 0.0]])
    assert bs.score("squad_f1_em", stats) == pytest.approx(task_score("squad_f1_em", scores), abs=1e-12)
    assert task_score("seqeval_f1", {"f1": 70.0, "precision": 60.0, "recall": 84.0}) == 70.0


# ---- UD-POS and PAN-X: seqeval 0.0.12's get_entities / f1_score (evaluate.py's `f1`) -------------------------------

def test_pos_chunks_as_seqeval_0_0_12():
    # type = text after the last '-': CCONJ and SCONJ stay apart (seqeval 1.2.2 reads both as 'CONJ': F1 100)
    assert compute("pos_f1", [["SCONJ"]], [["CCONJ"]])["f1"] == 0.0
    # X is a type like any other (seqeval 1.2.2 gives X the type of 'O', never closes it and scores 0)
    assert compute("pos_f1", [["X"]], [["X"]])["f1"] == 100.0
    # gold {CCONJ 0, SCONJ 1, X 2} vs predicted {SCONJ 0, CCONJ 1, X 2}: 1 of 3 each way -> F1 1/3
    assert compute("pos_f1", [["SCONJ", "CCONJ", "X"]], [["CCONJ", "SCONJ", "X"]])["f1"] == pytest.approx(100 / 3)
    # the first letter is the position tag: INTJ is an I (runs merge), SYM an S (one chunk per word)
    assert chunks_0012(["INTJ", "INTJ", "SYM", "SYM"]) == [("INTJ", 0, 1), ("SYM", 2, 2), ("SYM", 3, 3)]
    assert chunks_0012(["B-PER", "I-PER", "O", "B-LOC"]) == [("PER", 0, 1), ("LOC", 3, 3)]


def test_pos_per_example_statistics_are_the_corpus_counts():
    # f1_score joins the sentences with an 'O' after each: gold X@0, CCONJ@2, SCONJ@3; predicted X@0, SCONJ@2,
    # SCONJ@3; common X@0 and SCONJ@3 -> P = R = 2/3, F1 = 2/3
    refs, preds = [["X"], ["CCONJ", "SCONJ"]], [["X"], ["SCONJ", "SCONJ"]]
    assert compute("pos_f1", preds, refs) == pytest.approx({"f1": 200 / 3, "precision": 200 / 3, "recall": 200 / 3})
    stats = get_metric("pos_f1").per_example(preds, refs, "en")
    np.testing.assert_array_equal(stats, [[1, 1, 1], [1, 2, 2]])  # (tp, predicted, gold) per sentence
    assert bs.score("pos_f1", stats) == pytest.approx(200 / 3)


# ---- LAReQA / Mewsli-X: utils_lareqa.average_precision_at_k, utils_mewslix.mean_reciprocal_rank ----------------------

def test_map_at_20_skips_a_repeated_id_but_keeps_its_rank():
    # a@1 hit (1/1), a@2 'pred in ranked[:i]' -> no hit, b@3 hit (2/3); divisor min(2, 20)
    assert average_precision_at(["a", "a", "b"], {"a", "b"}) == pytest.approx((1 + 2 / 3) / 2)
    # a repeated miss still takes rank 2: the gold is at rank 3 -> 1/3 (MRR@20 with one gold)
    assert compute("map_at_20", [["x", "x", "q"]], [["q"]])["map@20"] == pytest.approx(100 / 3)


# ---- Tatoeba: utils_retrieve.similarity_search(x=xx, y=en) -----------------------------------------------------------

def test_tatoeba_searches_en_to_xx_by_default():
    # xx sentences at 0 and 53.13 degrees, English at 36.87 and 90; cosines: xx0.en0 = 0.8, xx0.en1 = 0,
    # xx1.en0 = 0.96, xx1.en1 = 0.8
    xx = np.array([[1.0, 0.0], [0.6, 0.8]])
    en = np.array([[0.8, 0.6], [0.0, 1.0]])
    # XTREME indexes x = xx and queries with y = English: en0 -> xx1 (0.96), en1 -> xx1 (0.8): accuracy 1/2
    assert similarity_search(xx, en).tolist() == [1, 1]
    # the reverse direction, which the project used to take, answers differently: xx0 -> en0, xx1 -> en0
    assert similarity_search(en, xx).tolist() == [0, 0]
    assert RetrievalConfig().tatoeba_direction == "en->xx"
    with pytest.raises(StiltsError, match="tatoeba_direction"):
        RetrievalConfig(tatoeba_direction="both")


# ---- BUCC: utils_retrieve.mine_bitext(retrieval='max'), read_candidate2score, bucc_optimize --------------------------

def _unit(degrees: float) -> list[float]:
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


def test_bucc_mines_both_directions_each_sentence_once():
    # sources at 0 and 30 degrees, targets at 10 and 60; with k = 1 a sentence's kNN mean is its best cosine:
    # s0: cos10, s1: cos20 (t0), t0: cos10 (s0), t1: cos30 (s1). Ratio margins cos / ((mean_x + mean_y) / 2):
    #   fwd s0->t0: cos10 / cos10 = 1;  fwd s1->t0: cos20 / ((cos20 + cos10) / 2) = 0.97656
    #   bwd t0->s0: 1;                  bwd t1->s1: cos30 / ((cos20 + cos30) / 2) = 0.95921
    # in score order: (s0, t0) kept, its bwd twin skipped, (s1, t0) skipped (t0 used), (s1, t1) kept
    src, tgt = np.array([_unit(0), _unit(30)]), np.array([_unit(10), _unit(60)])
    mined = mine_bitext(src, tgt, ["a", "b"], ["c", "d"], ["s0", "s1"], ["t0", "t1"], k=1)
    c10, c20, c30 = (math.cos(math.radians(d)) for d in (10, 20, 30))
    assert [(s, t) for s, t, _ in mined] == [("s0", "t0"), ("s1", "t1")]
    assert mined[0][2] == 1.0 and mined[1][2] == pytest.approx(c30 / ((c20 + c30) / 2), rel=1e-6)
    assert c20 / ((c20 + c10) / 2) > mined[1][2]  # (s1, t0) outscored it, yet t0 was taken
    # read_sent2id drops a sentence that occurs twice in its file: s1's text again as s2 leaves (s1, t1) unnamed;
    # text_load_unify embeds it once, so the mining itself is unchanged
    src3 = np.array([_unit(0), _unit(30), _unit(30)])
    mined3 = mine_bitext(src3, tgt, ["a", "b", "b"], ["c", "d"], ["s0", "s1", "s2"], ["t0", "t1"], k=1)
    assert [(s, t) for s, t, _ in mined3] == [("s0", "t0")]


def test_bucc_threshold_starts_at_0_as_bucc_optimize():
    # no candidate in gold: the threshold stays 0 (every candidate is extracted) and F1 is 0
    assert bucc_optimize([("s1", "t9", 0.8), ("s2", "t8", 0.5)], {("s1", "t1")}) == (0.0, 0.0)
    # the best F1 at the last candidate: XTREME reads items[i + 1] and fails; we keep every candidate
    threshold, f1 = bucc_optimize([("s1", "t9", 0.8), ("s2", "t2", 0.5)], {("s2", "t2")})
    assert threshold == 0.5 and f1 == pytest.approx(100 * 2 * (1 / 2) * 1 / (1 / 2 + 1))
