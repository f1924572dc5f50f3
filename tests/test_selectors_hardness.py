"""Issue 23: label-stratified budgets, and the selectors that define hardness by a reference model's behaviour
(cartography, cross-lingual-disagreement). Synthetic vectors: fast, offline, deterministic."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from datasets import Dataset, DatasetDict

from advmine.pipeline import Shared, StepStats
from advmine.reference import GroupReference, ProbeSettings, cross_fit
from advmine.selectors import SelectConfig, get_selector, require_reference
from advmine.steps.select import SelectStep
from advmine.stratify import quotas, stratified_take
from stilts.core.errors import StiltsError


def _rows(n: int = 100, mix=(0.5, 0.3, 0.2)) -> list[dict]:
    labels = np.repeat(np.arange(3), [int(n * m) for m in mix])
    return [{"id": f"{i}-sw", "orig_id": str(i), "lang": "sw", "text_a": f"premise {i}", "text_b": f"hyp {i}",
             "label": int(y)} for i, y in enumerate(labels)]


def _favour_class_zero(points, rows, kind, cfg, seed):
    """A selector whose scores favour one class: every class-0 row outranks every other row."""
    return np.array([10.0 - r["label"] + i * 1e-3 for i, r in enumerate(rows)])


def _select(rows: list[dict], stratify: bool) -> list[int]:
    sel = SelectConfig(name="random", budget=0.3, stratify=stratify, diagnostics=False)
    step = SelectStep(SelectStep.Config("mnli", sel, 0))
    step.scorer = _favour_class_zero
    out = step.run(DatasetDict({"train": Dataset.from_list(rows)}), StepStats("select"), Shared())
    return list(out["train"]["label"])


def test_stratified_budget_keeps_the_source_label_mix_against_a_one_sided_selector():
    rows = _rows(100)
    kept = _select(rows, stratify=True)
    assert len(kept) == 30
    assert [kept.count(c) for c in range(3)] == [15, 9, 6]   # 50/30/20 of the 100 candidates
    assert _select(rows, stratify=False) == [0] * 30          # off: the selector's one class alone


def test_quotas_largest_remainder_and_order():
    # exact shares 1.5 / 0.9 / 0.6: floors 1 / 0 / 0, the two left go to the largest remainders (0.9, 0.6)
    assert quotas(np.array([0] * 5 + [1] * 3 + [2] * 2), 3) == {0: 1, 1: 1, 2: 1}
    assert quotas(np.array([0] * 9 + [1]), 5) == {0: 5, 1: 0}       # 4.5 / 0.5: the tie goes to the first
    assert quotas(np.array([0] * 2 + [1] * 2), 4) == {0: 2, 1: 2}   # never more than a stratum holds
    assert sum(quotas(np.array([0, 1, 2] * 7), 10).values()) == 10
    order = np.arange(10)[::-1]
    strata = np.array([0] * 5 + [1] * 5)
    assert sorted(stratified_take(order, strata, 4).tolist()) == [3, 4, 8, 9]   # the hardest of each class


def _reference(n: int = 120, d: int = 8, seed: int = 0):
    """A learnable 3-class problem: English source vectors with class centres, and their 'translations' (the
    same vectors, scrambled for the last 20 rows so transfer breaks there)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    centres = rng.normal(size=(3, d)) * 2
    x = centres[y] + rng.normal(size=(n, d))
    x[:6] = centres[(y[:6] + 1) % 3] + rng.normal(size=(6, d)) * 0.3   # mislabelled-looking rows
    ids = [str(i) for i in range(n)]
    ref = cross_fit(ids, x, y, 3, ProbeSettings(epochs=5, folds=4, seed=0))
    xt = x.copy()
    xt[-20:] = rng.normal(size=(20, d)) * 3
    src = np.arange(n)
    p_row, p_src = ref.proba_of(ids, xt), ref.source_proba(ids)
    adequacy = np.ones(n)
    adequacy[-5:] = 0.1            # five broken translations
    return GroupReference(ref, src, y, p_row, p_src, adequacy, 0.5, {}), y


def test_reference_is_cross_fitted_and_accurate_on_a_learnable_problem():
    g, y = _reference()
    assert g.reference.accuracy > 0.8
    assert (g.p_src.argmax(1)[:6] != y[:6]).mean() > 0.5   # the planted rows disagree with their labels


@pytest.mark.parametrize("region", ["ambiguous", "hard", "easy"])
def test_cartography_regions_and_columns(region):
    g, y = _reference()
    cfg = dataclasses.replace(SelectConfig(name="cartography"), region=region, epochs=5)
    rows = [{"id": str(i), "label": int(v)} for i, v in enumerate(y)]
    res = get_selector("cartography")(None, rows, "pair_classification", cfg, 0, reference=g)
    conf, var = res.columns["cartography_confidence"], res.columns["cartography_variability"]
    assert conf.shape == var.shape == (len(rows),) and np.all((0 <= conf) & (conf <= 1)) and np.all(var >= 0)
    expected = {"ambiguous": var, "hard": -conf, "easy": conf}[region]
    assert np.allclose(res.scores, expected)
    assert len(res.notes["data_map"]["confidence"]) == len(rows)
    if region == "hard":   # the planted mislabelled-looking rows are hard to learn
        assert np.mean(np.argsort(-res.scores)[:12] < 6) >= 0.3


def test_cross_lingual_disagreement_picks_broken_transfer_but_not_broken_translations():
    g, y = _reference()
    rows = [{"id": str(i), "label": int(v)} for i, v in enumerate(y)]
    res = get_selector("cross-lingual-disagreement")(None, rows, "pair_classification",
                                                     SelectConfig(name="cross-lingual-disagreement"), 0, reference=g)
    top = np.argsort(-res.scores)[:15]
    assert np.mean((top >= 100) & (top < 115)) >= 0.6       # the scrambled, still adequate rows
    assert not set(top) & set(range(115, 120))               # below the adequacy floor: ranked last
    assert res.notes["below_floor"] == 5 and set(res.columns) == {"xl_drop", "xl_flip"}


@pytest.mark.parametrize("selector", ["cartography", "cross-lingual-disagreement"])
def test_reference_selectors_name_the_kinds_they_support(selector):
    with pytest.raises(StiltsError, match=rf"--select {selector} supports pair_classification, "
                                          r"single_classification tasks.*a span_qa task needs"):
        require_reference(selector, "span_qa")
