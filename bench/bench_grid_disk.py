"""Disk a grid writes, before and after stage outputs became deltas of trained weights (issue 22, point 4).

The same small grid (the kit demo's, cut to 300 training rows, 50 dev rows, one seed, conditions `none` and
`english`, XNLI) runs twice with empty caches: with the code of a commit from before the change (default 8e97176,
`git archive` into a temporary directory, same venv) and with this checkout (deltas; the feature cache on, its
stored states counted apart because they live in $STILTS_CACHE, shared by every grid). Sizes are `du` of the
grid directory, split into trained models (run directories) and the rest (advmine datasets, evaluations, report).

Run: `.venv/bin/python bench/bench_grid_disk.py [--before 8e97176]` (about 6 min on 2 cores). Writes
results/grid_disk.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "grid_disk.json"


def grid_config(out: Path, cache: bool) -> dict:
    cfg = yaml.safe_load((ROOT / "configs" / "grids" / "kit-demo.yaml").read_text(encoding="utf-8"))
    cfg.update(name="disk", out=str(out), seeds=[0])
    cfg["experiment"].update(limit=300, dev_limit=50)
    if cache:
        cfg["experiment"]["feature_cache"] = True
    cfg["datasets"] = {}
    cfg["conditions"] = {k: v for k, v in cfg["conditions"].items() if k in ("none", "english")}
    return cfg


def _inodes(paths: list[Path]) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(device, inode) -> (size, links, occurrences under `paths`): a hard-linked file counts once, as in du."""
    seen: dict[tuple[int, int], tuple[int, int, int]] = {}
    for path in paths:
        for f in path.rglob("*") if path.exists() else []:
            if f.is_file() and not f.is_symlink():
                st = f.stat()
                key = (st.st_dev, st.st_ino)
                seen[key] = (st.st_size, st.st_nlink, seen.get(key, (0, 0, 0))[2] + 1)
    return seen


def size_mb(path: Path) -> float:
    return sum(v[0] for v in _inodes([path]).values()) / 2**20


def measure(grid: Path, work: Path) -> dict:
    """The grid's disk: all of it, its trained models (run directories), and how much of it is hard links to
    files outside it (a delta's tokenizer is the base model's own file: no new disk)."""
    run_dirs = [d for d in grid.rglob("*") if d.is_dir() and (d / "stages.json").is_file()]
    everything, runs = _inodes([grid]), _inodes(run_dirs)
    outside = sum(size for size, links, here in everything.values() if links > here)
    stages = sum(1 for d in run_dirs for s in d.iterdir() if s.is_dir() and s.name.startswith(("intermediate-", "target-")))
    mb = lambda table: round(sum(v[0] for v in table.values()) / 2**20, 1)  # noqa: E731
    return {"run_dirs": len(run_dirs), "stage_dirs": stages, "grid_mb": mb(everything), "trained_models_mb": mb(runs),
            "linked_to_files_outside_mb": round(outside / 2**20, 1),
            "new_disk_mb": round((sum(v[0] for v in everything.values()) - outside) / 2**20, 1),
            "feature_cache_mb": round(size_mb(work / "stilts-cache" / "prefix-features"), 1)}


def run_grid(tree: Path, work: Path, cache: bool) -> dict:
    grid = work / "grid"
    cfg_file = work / "grid.yaml"
    cfg_file.write_text(yaml.safe_dump(grid_config(grid, cache)), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tree), "STILTS_CACHE": str(work / "stilts-cache"),
           "ADVMINE_CACHE": str(work / "advmine-cache")}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from cli import stilts; stilts()", "compare", str(cfg_file)],
                   cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    return {**measure(grid, work), "wall_s": round(wall, 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--before", default="8e97176", help="a commit from before the change")
    p.add_argument("--reuse-before", action="store_true",
                   help="take the 'before' figures from results/grid_disk.json (same grid, same commit) and rerun 'after'")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-grid-disk-"))
    old = tmp / "before-tree"
    old.mkdir()
    archive = subprocess.run(["git", "archive", args.before], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    (tmp / "before").mkdir()
    (tmp / "after").mkdir()
    previous = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    if args.reuse_before and previous.get("before_commit") == args.before:
        before = {**previous["before"], "measured_in": "an earlier run of this script (--reuse-before)"}
    else:
        before = run_grid(old, tmp / "before", cache=False)
    after = run_grid(ROOT, tmp / "after", cache=True)
    result = {"grid": "kit demo cut to 300 rows, 50 dev rows, seed 0, conditions none + english, target XNLI",
              "before_commit": args.before, "before": before, "after": after,
              "after_share_of_before": round(after["grid_mb"] / max(before["grid_mb"], 1e-9), 4),
              "after_new_disk_share_of_before": round(after["new_disk_mb"] / max(before["grid_mb"], 1e-9), 4),
              "command": "python bench/bench_grid_disk.py " + " ".join(sys.argv[1:])}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
