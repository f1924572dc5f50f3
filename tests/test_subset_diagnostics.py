"""Issue 23: every selected subset is described per language (label mix, noise beside a random subset, adequacy,
language ID, lengths) in the card, in `advmine inspect` and in the `stilts compare` setup table. One tiny kit
build with the hashing embedder (seconds); the real-data command is the README's."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from advmine.adequacy import adequacy
from advmine.diagnostics import GroupFacts, describe, subset_diagnostics


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from cli import advmine

    tmp = tmp_path_factory.mktemp("diag")
    out = tmp / "carto"
    args = ["build", "--task", "mnli", "--langs", "sw,th", "--kit", "--limit", "90", "--select", "cartography",
            "--budget", "0.3", "--embedder", "hashing", "--contamination", "off", "--out", str(out),
            "--cache-dir", str(tmp / "cache")]
    res = CliRunner().invoke(advmine, args)
    assert res.exit_code == 0, res.output
    return out


def test_card_and_inspect_show_the_diagnostics(built):
    from advmine.inspect_dataset import inspect_text

    card = (built / "README.md").read_text()
    assert "## What the selected subsets hold" in card and "**train / th**" in card
    assert "![data map train/sw](datamap_train_sw.png)" in card and (built / "datamap_train_sw.png").stat().st_size
    text = inspect_text(built)
    for part in ("[train / sw]", "labels (%): subset", "largest deviation", "label noise", "random subset",
                 "cross-fitted (5 folds) accuracy", "adequacy (cosine", "5th percentile", "below the floor",
                 "language ID agrees", "English words kept"):
        assert part in text, part
    stats = json.loads((built / "stats.json").read_text())
    d = next(s for s in stats["steps"] if s["name"] == "select")["info"]["train"]["sw"]["diagnostics"]
    # stratified by default: each class's quota is within one row of its exact share (largest remainder)
    assert d["labels"]["max_dev_points"] < 100 / d["selected"]
    assert d["selected"] == 27 and 0 <= d["ref_accuracy"]["subset"] <= 1


def test_compare_setup_table(built, tmp_path):
    from stilts.compare.subset_diagnostics import diagnostics_table

    table = diagnostics_table({"carto": built, "missing": tmp_path / "nope"})
    assert table.startswith("| dataset | lang |") and "| carto | sw | 27 |" in table and "Reference:" in table
    assert "No selected advmine dataset" in diagnostics_table({})


def test_noise_is_measured_beside_a_random_subset_and_marked_weak():
    n = 200
    p_src = np.full(n, 0.5)
    p_src[:20] = 0.05                                   # 20 probably mislabelled rows
    facts = GroupFacts(np.arange(n) % 2, ["a", "b"], np.full(n, 10.0), np.full(n, 0.9), 0.8, np.zeros(n),
                       np.zeros(n, dtype=bool), None, p_src, np.ones(n), p_src,
                       {"name": "ref", "accuracy": 0.6, "folds": 5})
    d = subset_diagnostics(facts, np.arange(20), seed=0)
    assert d["noise"]["subset"] == 1.0 and d["noise"]["random"] < 0.3 and d["reference"]["weak"]
    assert any("WEAK evidence" in line for line in describe(d))


def test_adequacy_floor_is_calibrated_on_unrelated_pairs():
    rng = np.random.default_rng(0)
    vec = {f"s{i}": rng.normal(size=16) for i in range(50)}
    vec.update({f"t{i}": vec[f"s{i}"] + rng.normal(size=16) * 0.2 for i in range(45)})   # faithful
    vec.update({f"t{i}": rng.normal(size=16) for i in range(45, 50)})                    # broken
    rows = [{"text": f"t{i}"} for i in range(50)]
    sources = [{"text": f"s{i}"} for i in range(50)]
    adeq, floor = adequacy(rows, sources, lambda r: [r["text"]], lambda ts: np.stack([vec[t] for t in ts]), 0)
    assert (adeq[:45] > floor).all() and (adeq[45:] < floor).mean() >= 0.8
