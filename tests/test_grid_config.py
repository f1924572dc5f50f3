"""The typed grid config of `stilts compare`: defaults from defaults.yaml, every problem in one line, and cell
keys that do not move (finished cells of an existing grid are still recognised)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stilts.compare.grid import (DEFAULTS, Condition, GridDataset, cell_key, cells, datasets_of, default_grid,
                                 load_grid)
from stilts.core.errors import StiltsError

ROOT = Path(__file__).resolve().parents[1]

# Computed after the feature-cache change (commit 569689f), which changed what a cell trains with frozen layers
# (they now run without dropout; `feature_cache`, `feature_cache_dtype` and `train.eval_every` enter the key), so
# cells finished before it are retrained; earlier keys: commit 3f624bb. By
#   from stilts.compare.grid import load_grid, cells, cell_key
#   grid = load_grid("configs/grids/kit-demo.yaml", {})
#   fps = {"multilingual-adversarial": "fp-adv", "multilingual-random": "fp-rand"}
#   for c in cells(grid):
#       print(c.name, cell_key(grid, c, fps), cell_key(grid, c, fps, legacy=True), cell_key(grid, c, {}))
KIT_DEMO_KEYS = {
    "none/xnli/seed0": ("240ac04bc2a2427d", "240ac04bc2a2427d", "240ac04bc2a2427d"),
    "english/xnli/seed0": ("0e08461a43c60c88", "0e08461a43c60c88", "0e08461a43c60c88"),
    "multilingual-random/xnli/seed0": ("7c2669430c921136", "5753781c343eee1d", "39a25b6f6f1a31e9"),
    "multilingual-adversarial/xnli/seed0": ("8e82f9769b51ada3", "5483cabae585d287", "9d0de4963914bd0c"),
    "none/xnli/seed1": ("4c4f04a3b38d2d61", "4c4f04a3b38d2d61", "4c4f04a3b38d2d61"),
    "english/xnli/seed1": ("76fa9372982ff90e", "76fa9372982ff90e", "76fa9372982ff90e"),
    "multilingual-random/xnli/seed1": ("bda8eea1544a993a", "ec7e50f69e30710f", "d2ebf7b64aa5e759"),
    "multilingual-adversarial/xnli/seed1": ("a32d4ca002db3dda", "ea7499a92fa2614d", "b69d21cff1e8d6f5"),
}


def test_kit_demo_cell_keys_are_unchanged(monkeypatch):
    monkeypatch.chdir(ROOT)   # the keys hold the grid's relative `out`, as `make demo` runs it
    grid = load_grid("configs/grids/kit-demo.yaml", {})
    fps = {"multilingual-adversarial": "fp-adv", "multilingual-random": "fp-rand"}
    got = {c.name: (cell_key(grid, c, fps), cell_key(grid, c, fps, legacy=True), cell_key(grid, c, {}))
           for c in cells(grid)}
    assert got == KIT_DEMO_KEYS


def test_defaults_come_from_the_packaged_yaml_only(tmp_path):
    grid = load_grid(None, {"out": str(tmp_path)})
    raw = default_grid()
    assert DEFAULTS.name == "defaults.yaml" and list(grid.conditions) == list(raw["conditions"])
    assert grid.seeds == raw["seeds"] and grid.model == raw["model"] and grid.targets == raw["targets"]
    assert all(isinstance(c, Condition) for c in grid.conditions.values())
    assert all(isinstance(d, GridDataset) for d in grid.datasets.values())
    rand = grid.datasets["multilingual-random"]
    assert rand.same_size_as == "multilingual-adversarial" and rand["same_size_as"] == "multilingual-adversarial"
    assert dict(grid.datasets["english-hard"])["langid"] == "off" and rand.langs == ["sw", "th", "ar"]
    assert datasets_of(grid, cells(grid)) == ["multilingual-adversarial", "english-hard", "multilingual-random"]


def test_a_grid_file_replaces_whole_default_keys(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump({"out": str(tmp_path), "conditions": {"english": {"intermediate": ["mnli"]},
                                                                          "none": None}}))
    grid = load_grid(str(path), {"seeds": [4]})
    assert list(grid.conditions) == ["english", "none"] and grid.conditions["none"] == Condition()
    assert grid.seeds == [4] and set(grid.datasets) == set(default_grid()["datasets"])


def test_every_grid_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump({
        "out": str(tmp_path), "baseline": "nobody", "targets": ["xnli", "xnlii"],
        "datasets": {"adv": {"task": "mnli", "langs": ["sw"], "select": {"name": "random", "budget": -1}},
                     "rand": {"task": "mnli", "langs": ["sw"], "same_size_as": "nope"}},
        "conditions": {"a": {"intermediate": ["mnlii", "@missing"]}, "b": {"continued_mlm": ["mnli+@adv"]}}}))
    with pytest.raises(StiltsError) as e:
        load_grid(str(path), {})
    msg = str(e.value)
    assert "\n" not in msg
    for part in ("datasets.adv.select.budget: --budget -1", "datasets.rand.same_size_as: no dataset 'nope'",
                 "conditions.a.intermediate: unknown task or @dataset 'mnlii'; did you mean: mnli",
                 "conditions.a: @missing is not declared under datasets", "baseline: 'nobody' is not a condition",
                 "targets: unknown task 'xnlii'"):
        assert part in msg, (part, msg)


def test_unknown_keys_and_bad_choices_are_reported_together(tmp_path):
    with pytest.raises(StiltsError) as e:
        load_grid(None, {"out": str(tmp_path), "seedz": [0], "source": "hubb", "eval.pooling": "cl",
                         "conditions.x.bogus": 1, "datasets.d.task": "mnli", "datasets.d.langs": ["sw"],
                         "datasets.d.langid": "flg", "datasets.d.colour": "red"})
    msg = str(e.value)
    for part in ("grid.seedz: unknown key", "grid.source: 'hubb' is not one of hub, data-dir, kit",
                 "grid.eval.pooling: 'cl' is not one of mean, cls", "grid.conditions.x.bogus: unknown key",
                 "grid.datasets.d.langid: 'flg' is not one of flag, drop, off", "grid.datasets.d.colour: unknown key"):
        assert part in msg, (part, msg)
