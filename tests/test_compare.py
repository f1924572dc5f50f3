"""stilts compare: per-example statistics, the paired bootstrap on synthetic predictions with a known difference,
the grid config, and a tiny grid on the kit (rerun skips, stale cells, report, plots, notebook)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from stilts.eval import bootstrap as bs
from stilts.compare.grid import load_grid
from stilts.core.errors import StiltsError
from stilts.eval.metrics import METRICS, compute, get_metric

ROOT = Path(__file__).resolve().parents[1]


def _random_case(metric: str, rng: np.random.Generator, n: int = 60):
    if metric in ("accuracy", "retrieval_accuracy"):
        golds = rng.integers(0, 3, n).tolist()
        return [g if rng.random() < 0.6 else int(rng.integers(0, 3)) for g in golds], golds
    if metric in ("seqeval_f1", "pos_f1", "token_accuracy"):
        tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"] if metric == "seqeval_f1" else ["NOUN", "VERB", "ADJ"]
        golds = [[tags[i] for i in rng.integers(0, len(tags), rng.integers(1, 9))] for _ in range(n)]
        preds = [[t if rng.random() < 0.7 else tags[int(rng.integers(0, len(tags)))] for t in g] for g in golds]
        return preds, golds
    if metric in ("squad_f1_em", "mlqa_f1_em"):
        words = ["the", "red", "house", "of", "Anna", "river", "1990", "bank"]
        golds = [[" ".join(rng.choice(words, rng.integers(1, 4)))] for _ in range(n)]
        preds = [g[0] if rng.random() < 0.4 else " ".join(rng.choice(words, rng.integers(1, 4))) for g in golds]
        return preds, golds
    if metric == "map_at_20":
        pool = [f"e{i}" for i in range(40)]
        golds = [list(rng.choice(pool, rng.integers(1, 3), replace=False)) for _ in range(n)]
        return [list(rng.permutation(pool)[:20]) for _ in range(n)], golds
    raise AssertionError(metric)


@pytest.mark.parametrize("metric", [m for m in METRICS if get_metric(m).per_example is not None])
def test_per_example_statistics_reproduce_the_metric(metric):
    """Summing per-example statistics and combining them gives exactly the official corpus score (QA: the
    XTREME average's (F1 + EM) / 2), so re-weighting rows is a valid bootstrap of the real metric."""
    preds, golds = _random_case(metric, np.random.default_rng(0))
    st = get_metric(metric).per_example(preds, golds, "en")
    scores = compute(metric, preds, golds, "en")
    expected = (scores["f1"] + scores["exact_match"]) / 2 if "exact_match" in scores else next(iter(scores.values()))
    assert bs.score(metric, st) == pytest.approx(expected, abs=1e-9)


def _seed_stats(correct_prob: float, n: int, seeds: int, rng: np.random.Generator, shared: np.ndarray) -> list:
    """Per seed, 0/1 correctness: examples that are 'easy' (shared) are right for every condition."""
    out = []
    for _ in range(seeds):
        extra = rng.random(n) < correct_prob
        out.append(((shared | extra).astype(float)).reshape(-1, 1))
    return out


def test_bootstrap_recovers_a_known_difference():
    rng = np.random.default_rng(1)
    n = 3000
    easy = rng.random(n) < 0.5
    base = _seed_stats(0.2, n, 3, rng, easy)      # accuracy ~ 0.5 + 0.5 * 0.2 = 60
    cond = _seed_stats(0.4, n, 3, rng, easy)      # ~ 70: a true difference of +10 points
    d = bs.paired_difference("accuracy", cond, base, replicates=1000, seed=0)
    true = np.mean([bs.score("accuracy", c) - bs.score("accuracy", b) for c, b in zip(cond, base)])
    assert d["diff"] == pytest.approx(true)
    assert 8 < d["diff"] < 12 and d["lo"] < d["diff"] < d["hi"]
    assert d["lo"] > 5 and d["hi"] < 15 and d["p_le_0"] == 0.0
    # Deterministic: the same resamples for the same seed.
    again = bs.paired_difference("accuracy", cond, base, replicates=1000, seed=0)
    assert (again["lo"], again["hi"]) == (d["lo"], d["hi"])


def test_bootstrap_interval_covers_zero_when_there_is_no_difference():
    """Calibration: with equal true accuracy, the 95% interval holds 0 in (nearly) every simulated experiment,
    and pairing (shared easy examples) makes it narrower than the unpaired spread."""
    rng = np.random.default_rng(2)
    hits, widths = 0, []
    for _ in range(40):
        easy = rng.random(400) < 0.5
        a, b = _seed_stats(0.3, 400, 2, rng, easy), _seed_stats(0.3, 400, 2, rng, easy)
        d = bs.paired_difference("accuracy", a, b, replicates=400, seed=3)
        hits += d["lo"] <= 0 <= d["hi"]
        widths.append(d["hi"] - d["lo"])
    assert hits >= 36
    unpaired = 2 * 1.96 * 100 * np.sqrt(2 * 0.65 * 0.35 / 400 / 2)
    assert np.median(widths) < unpaired


def test_bootstrap_refuses_unpaired_inputs():
    a = [np.ones((10, 1))]
    with pytest.raises(StiltsError, match="same test examples"):
        bs.paired_difference("accuracy", a, [np.ones((9, 1))])
    with pytest.raises(StiltsError, match="same seeds"):
        bs.paired_difference("accuracy", a, a + a)
    with pytest.raises(StiltsError, match="no per-example"):
        bs.example_stats("bucc_f1", [], "de")


def test_grid_config_is_strict(tmp_path):
    bad = tmp_path / "g.yaml"
    bad.write_text(yaml.safe_dump({"out": str(tmp_path), "seedz": [0], "conditions": {"x": {"intermediate": ["@nope"]}},
                                   "baseline": "english"}))
    with pytest.raises(StiltsError) as e:
        load_grid(str(bad), {})
    assert "seedz" in str(e.value)
    bad.write_text(yaml.safe_dump({"out": str(tmp_path), "conditions": {"x": {"intermediate": ["@nope"]}},
                                   "baseline": "x", "datasets": {}}))
    with pytest.raises(StiltsError, match="@nope is not declared"):
        load_grid(str(bad), {})
    with pytest.raises(StiltsError, match="baseline"):
        load_grid(None, {"out": str(tmp_path), "baseline": "nobody"})
    grid = load_grid(None, {"out": str(tmp_path)})  # the research defaults are a valid grid
    assert grid.seeds == [0, 1, 2] and set(grid.conditions) == {
        "none", "english", "english-hard", "multilingual-random", "multilingual-adversarial"}
    assert grid.datasets["multilingual-random"]["same_size_as"] == "multilingual-adversarial"


TINY = {"kit.hidden": 32, "kit.layers": 1, "kit.vocab_size": 800, "kit.max_steps": 20, "kit.epochs": 1,
        "limit": 120, "dev_limit": 40, "epochs": {"mnli": 1, "xnli": 1}}


def _tiny_grid(out: Path) -> dict:
    return {"name": "tiny", "out": str(out), "model": "kit", "source": "kit", "seeds": [0, 1], "targets": ["xnli"],
            "baseline": "english", "experiment": TINY, "bootstrap": 200,
            "eval": {"langs": ["en", "sw", "th"], "limit": 40},
            "datasets": {"adv": {"task": "mnli", "langs": ["sw"], "limit": 120, "perturb": ["codeswitch"],
                                 "select": {"name": "knn-disagreement", "budget": 0.25}},
                         "rand": {"task": "mnli", "langs": ["sw"], "limit": 120, "select": {"name": "random"},
                                  "same_size_as": "adv"}},
            "conditions": {"none": {}, "english": {"intermediate": ["mnli"]},
                           "multilingual-random": {"intermediate": ["@rand"]},
                           "multilingual-adversarial": {"intermediate": ["@adv"]}}}


@pytest.fixture(scope="module")
def tiny_grid(tmp_path_factory):
    from cli import stilts

    out = tmp_path_factory.mktemp("grid")
    path = out / "grid.yaml"
    path.write_text(yaml.safe_dump(_tiny_grid(out / "run"), sort_keys=False))
    result = CliRunner().invoke(stilts, ["compare", str(path)])
    assert result.exit_code == 0, result.output
    return {"yaml": path, "out": out / "run", "output": result.output}


def test_tiny_grid_writes_report_results_and_plots(tiny_grid):
    out = tiny_grid["out"]
    assert "cells run: 8, skipped (finished before): 0" in tiny_grid["output"]
    r = json.loads((out / "results.json").read_text())
    assert set(r["scores"]) == {"none", "english", "multilingual-random", "multilingual-adversarial"}
    for cond in r["scores"]:
        for lang in ("en", "sw", "th"):
            e = r["scores"][cond]["xnli"][lang]
            assert set(e["seeds"]) == {"0", "1"} and e["lo"] <= e["mean"] <= e["hi"]
    d = r["delta"]["multilingual-adversarial"]["xnli"]["sw"]
    assert d["seeds"] == 2 and d["lo"] <= d["diff"] <= d["hi"]
    assert "english" not in r["delta"]
    # Equal sizes for the controls, and the seen/unseen split names the languages of the intermediate data.
    rows = {c: r["grid"]["conditions"][c]["stages"][0]["train_rows"] for c in ("multilingual-random", "multilingual-adversarial")}
    assert abs(rows["multilingual-random"] - rows["multilingual-adversarial"]) <= 1
    groups = r["delta_groups"]["multilingual-adversarial"]["in intermediate data"]
    assert groups["seen"]["langs"] == ["sw"] and groups["unseen"]["langs"] == ["en", "th"]
    report = (out / "report.md").read_text()
    for needle in ("## Main table", "XTREME-R avg", "Δ vs english", "## Contamination", "## Caveats",
                   "not zero-shot", "Only 2 seed(s)", "plots/xnli_per_language.png"):
        assert needle in report, needle
    for png in ("xnli_per_language.png", "delta_by_family_and_script.png"):
        assert (out / "plots" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rerun_skips_finished_cells_and_refuses_stale_ones(tiny_grid, monkeypatch):
    from cli import stilts
    from stilts.compare import runner

    monkeypatch.setattr(runner, "run_cell", lambda *a, **k: pytest.fail("a finished cell was run again"))
    again = CliRunner().invoke(stilts, ["compare", str(tiny_grid["yaml"])])
    assert again.exit_code == 0, again.output
    assert "cells run: 0, skipped (finished before): 8" in again.output
    listing = CliRunner().invoke(stilts, ["compare", str(tiny_grid["yaml"]), "--list"])
    assert listing.output.count(" done ") == 8 and "--cell english/xnli/seed1" in listing.output
    stale = CliRunner().invoke(stilts, ["compare", str(tiny_grid["yaml"]), "--set", "experiment.train.lr=0.001",
                                        "--cell", "none/xnli/seed0"])
    assert stale.exit_code == 2 and "another config" in stale.output and "--force" in stale.output


def test_a_copied_grid_keeps_its_finished_cells(tiny_grid, tmp_path):
    """Cell keys name advmine datasets by their content fingerprint, not their path: a copied grid is done."""
    import shutil

    from cli import stilts

    copy = tmp_path / "moved"
    shutil.copytree(tiny_grid["out"], copy, symlinks=True)
    listing = CliRunner().invoke(stilts, ["compare", str(tiny_grid["yaml"]), "--out", str(copy), "--list"])
    assert listing.exit_code == 0 and listing.output.count(" done ") == 8, listing.output


def test_shards_partition_the_cells(tmp_path):
    from stilts.compare.runner import select_cells

    grid = load_grid(None, _tiny_grid(tmp_path))
    parts = [select_cells(grid, f"{i}/3") for i in range(3)]
    names = [c.name for p in parts for c in p]
    assert sorted(names) == sorted(c.name for c in select_cells(grid)) and len(set(names)) == 8
    with pytest.raises(StiltsError, match="I/N"):
        select_cells(grid, "2")


def test_notebook_draws_the_plots_from_a_grid(tiny_grid, tmp_path):
    """The notebook's code cells, run in order in a fresh interpreter against a real grid directory."""
    import os
    import subprocess
    import sys

    nb = json.loads((ROOT / "notebooks" / "compare_results.ipynb").read_text())
    script = tmp_path / "notebook.py"
    script.write_text("\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"))
    env = {**os.environ, "STILTS_GRID": str(tiny_grid["out"]), "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "tiny: model kit" in done.stdout and "| multilingual-adversarial |" in done.stdout
    assert "figures: 2" in done.stdout


def test_targets_of_one_condition_and_seed_share_the_intermediate_stage(tmp_path):
    """Phase 2 does not depend on the target: a second target links the finished stage instead of retraining."""
    from stilts.compare.grid import Cell, cell_dir, experiment_config
    from stilts.compare.runner import reuse_shared_stages, select_cells

    grid = load_grid(None, {**_tiny_grid(tmp_path), "targets": ["xnli", "pawsx"]})
    first, second = Cell("english", "xnli", 0), Cell("english", "pawsx", 0)
    from stilts.core.markers import mark_done
    from stilts.train.phases import stage_keys
    from stilts.train.stages import plan

    d = cell_dir(grid, first)
    (d / "intermediate-mnli").mkdir(parents=True)
    (d / "target-xnli").mkdir()
    first_cfg = experiment_config(grid, first)
    # a marker with another key (another lr) is not shared; the one this config trains with is
    mark_done(d / "intermediate-mnli", "another-config")
    assert reuse_shared_stages(grid, second, experiment_config(grid, second), log=lambda m: None) == []
    mark_done(d / "intermediate-mnli", stage_keys(first_cfg, plan(first_cfg))["intermediate-mnli"])
    assert reuse_shared_stages(grid, second, experiment_config(grid, second), log=lambda m: None) == [
        "intermediate-mnli"]
    link = cell_dir(grid, second) / "intermediate-mnli"
    assert link.is_symlink() and (link / "DONE").is_file() and not (cell_dir(grid, second) / "target-xnli").exists()
    # Another seed or another condition never shares it; shards keep a (seed, condition) group together.
    other_seed = Cell("english", "pawsx", 1)
    assert reuse_shared_stages(grid, other_seed, experiment_config(grid, other_seed), log=lambda m: None) == []
    for i in range(3):
        shard = select_cells(grid, f"{i}/3")
        groups = {(c.seed, c.condition) for c in shard}
        assert all(Cell(cond, t, s) in shard for s, cond in groups for t in grid.targets)


def test_a_cell_alone_reproduces_its_result_in_the_grid(tiny_grid, tmp_path):
    """Same config and seed, run alone into another directory: the same predictions as inside the full grid
    (heads are seeded, batches are a function of the seed)."""
    from cli import stilts

    alone = CliRunner().invoke(stilts, ["compare", str(tiny_grid["yaml"]), "--cell", "english/xnli/seed1",
                                        "--out", str(tmp_path / "alone")])
    assert alone.exit_code == 0, alone.output
    rel = Path("cells/english/xnli/seed1/eval/xnli.json")
    a, b = (json.loads((d / rel).read_text())["languages"] for d in (tiny_grid["out"], tmp_path / "alone"))
    assert {lg: [p["pred"] for p in e["predictions"]] for lg, e in a.items()} == \
        {lg: [p["pred"] for p in e["predictions"]] for lg, e in b.items()}
