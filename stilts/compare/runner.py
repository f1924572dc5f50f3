"""Running a grid: build its advmine datasets, then each cell (`stilts train` + `stilts eval`), skipping cells
whose `cell.json` says they finished with the same key. A cell stopped midway resumes from its stage markers and
the training loop's checkpoints. `shard="i/n"` runs every n-th cell, for one job per GPU or per cluster task."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import yaml

from stilts.compare.grid import (Cell, GridConfig, cell_dir, cell_key, cells, dataset_dir, datasets_of,
                                 experiment_config)
from stilts.errors import StiltsError


def parse_shard(shard: str | None) -> tuple[int, int]:
    if not shard:
        return 0, 1
    try:
        i, n = (int(x) for x in shard.split("/"))
    except ValueError:
        raise StiltsError(f"--shard {shard!r}: expected I/N, e.g. 0/4") from None
    if not 0 <= i < n:
        raise StiltsError(f"--shard {shard}: I must be in 0..N-1")
    return i, n


def select_cells(grid: GridConfig, shard: str | None = None, only: list[str] | None = None) -> list[Cell]:
    all_cells = cells(grid)
    if only:
        names = {c.name: c for c in all_cells}
        missing = [o for o in only if o not in names]
        if missing:
            raise StiltsError(f"--cell {missing[0]}: no such cell (e.g. {all_cells[0].name}; see --list)")
        return [names[o] for o in only]
    i, n = parse_shard(shard)
    # Shards take whole (seed, condition) groups, so that all targets of a group share one intermediate run.
    groups = list(dict.fromkeys((c.seed, c.condition) for c in all_cells))
    mine = {g for k, g in enumerate(groups) if k % n == i}
    return [c for c in all_cells if (c.seed, c.condition) in mine]


def _built_key(out: Path) -> str | None:
    from advmine.config import resolve

    try:
        return resolve(None, yaml.safe_load((out / "build.yaml").read_text()) | {"out": str(out)}).key()
    except (OSError, StiltsError, TypeError, AttributeError):
        return None


def dataset_rows(out: Path) -> dict[str, int]:
    """Rows per language of a built dataset (its train split)."""
    from datasets import load_from_disk

    langs = load_from_disk(str(out))["train"]["lang"]
    counts: dict[str, int] = {}
    for lang in langs:
        counts[lang] = counts.get(lang, 0) + 1
    return counts


def build_config(grid: GridConfig, name: str):
    """The advmine config of a grid dataset; `same_size_as` turns into a per-language row budget."""
    from advmine.config import resolve

    spec = dict(grid.datasets[name] or {})
    ref = spec.pop("same_size_as", None)
    overrides: dict[str, Any] = {**spec, "out": str(dataset_dir(grid, name)), "source": grid.source,
                                 "data_dir": grid.data_dir}
    if ref:
        ref_dir = dataset_dir(grid, ref)
        if not (ref_dir / "build.yaml").is_file():
            raise StiltsError(f"datasets.{name}.same_size_as: {ref} is not built yet ({ref_dir})")
        total = sum(dataset_rows(ref_dir).values())
        langs = spec.get("langs") or []
        groups = len(langs if isinstance(langs, list) else str(langs).split(",")) + bool(spec.get("include_source"))
        select = dict(overrides.get("select") or {})
        select["budget"] = float(max(1, total // max(groups, 1)))
        overrides["select"] = select
    try:
        return resolve(None, overrides)
    except StiltsError as e:
        raise StiltsError(f"grid datasets.{name}: {e}") from None


def prepare_datasets(grid: GridConfig, names: list[str], log=print) -> dict[str, str]:
    """Build (or reuse) each dataset; returns their fingerprints."""
    from advmine.build import build

    fingerprints = {}
    for name in names:
        cfg = build_config(grid, name)
        out = Path(cfg.out)
        if _built_key(out) == cfg.key():
            log(f"[dataset {name}] built before: {out}")
        else:
            log(f"[dataset {name}] advmine build -> {out}")
            build(cfg, log=log)
        fingerprints[name] = json.loads((out / "stats.json").read_text())["fingerprint"]
        ref = (grid.datasets[name] or {}).get("same_size_as")
        if ref:
            have, want = sum(dataset_rows(out).values()), sum(dataset_rows(dataset_dir(grid, ref)).values())
            if abs(have - want) > max(0.01 * want, 1 + len(dataset_rows(out))):
                raise StiltsError(f"datasets.{name}: {have} rows, but same_size_as {ref} has {want}: its pool is too "
                                  f"small for that size; lower {ref}'s select.budget")
    return fingerprints


def cell_status(grid: GridConfig, cell: Cell, key: str) -> str:
    """done | stale (finished with another config) | partial | new."""
    d = cell_dir(grid, cell)
    record = d / "cell.json"
    if record.is_file():
        meta = json.loads(record.read_text())
        done = all((d / "eval" / f"{t}.json").is_file() for t in meta.get("eval_tasks", []))
        if meta.get("key") == key and done:
            return "done"
        return "stale" if meta.get("key") != key else "partial"
    return "partial" if d.exists() else "new"


SHARED = ("phase1-continued-mlm", "intermediate-")


def _without(cfg: dict, *keys: str) -> dict:
    return {k: v for k, v in cfg.items() if k not in keys}


def reuse_shared_stages(grid: GridConfig, cell: Cell, log=print) -> list[str]:
    """Phase 1 (continued MLM) and phase 2 do not depend on the target: link them from a finished cell of the
    same condition and seed with an otherwise identical config, instead of training them once per target."""
    import os

    d = cell_dir(grid, cell)
    mine = _without(experiment_config(grid, cell).to_dict(), "out", "target")
    linked = []
    for target in grid.targets:
        if target == cell.target:
            continue
        other = cell_dir(grid, Cell(cell.condition, target, cell.seed))
        cfg_file = other / "config.yaml"
        if not cfg_file.is_file() or _without(yaml.safe_load(cfg_file.read_text()), "out", "target") != mine:
            continue
        for stage in sorted(other.iterdir()):
            done = (stage / "DONE").is_file() or (stage / "encoder" / "config.json").is_file()
            if stage.name.startswith(SHARED) and done and not (d / stage.name).exists():
                d.mkdir(parents=True, exist_ok=True)
                os.symlink(os.path.relpath(stage.resolve(), d), d / stage.name)
                linked.append(stage.name)
                log(f"[{cell.name}] {stage.name}: shared with {Cell(cell.condition, target, cell.seed).name}")
    return linked


def run_cell(grid: GridConfig, cell: Cell, key: str, log=print) -> dict:
    from stilts.eval.retrieval import RetrievalConfig
    from stilts.eval.zero_shot import evaluate_task, write_results
    from stilts.train.phases import run_experiment

    d = cell_dir(grid, cell)
    t0 = time.perf_counter()
    cfg = experiment_config(grid, cell)
    reuse_shared_stages(grid, cell, log)
    run_experiment(cfg, log=log)
    e = grid.eval
    result = evaluate_task(str(d / "model"), cell.target, source=grid.source, data_dir=grid.data_dir,
                           langs=e.langs, split=e.split, limit=e.limit,
                           retrieval=RetrievalConfig(pooling=e.pooling, layer=e.layer), log=log)
    write_results([result], d / "eval", cell.name)
    meta = {"key": key, "cell": cell.name, "condition": cell.condition, "target": cell.target, "seed": cell.seed,
            "eval_tasks": [cell.target], "seconds": round(time.perf_counter() - t0, 1)}
    tmp = d / ".cell.json.tmp"
    tmp.write_text(json.dumps(meta, indent=1))
    tmp.rename(d / "cell.json")
    return meta


def list_cells(grid: GridConfig, shard: str | None = None, only: list[str] | None = None) -> str:
    """One line per cell: its status and the command that runs it alone (for a cluster job array)."""
    fingerprints = {}
    for name in grid.datasets:
        stats = dataset_dir(grid, name) / "stats.json"
        if stats.is_file():
            fingerprints[name] = json.loads(stats.read_text())["fingerprint"]
    lines = []
    for cell in select_cells(grid, shard, only):
        lines.append(f"{cell.name:<48} {cell_status(grid, cell, cell_key(grid, cell, fingerprints)):<8} "
                     f"stilts compare GRID --cell {cell.name}")
    return "\n".join(lines)


def run_grid(grid: GridConfig, shard: str | None = None, only: list[str] | None = None, force: bool = False,
             prepare_only: bool = False, log=print) -> dict:
    """Run the selected cells one after another; returns what ran (with seconds) and what was skipped."""
    from tqdm.auto import tqdm

    todo = select_cells(grid, shard, only)
    fingerprints = prepare_datasets(grid, datasets_of(grid, todo), log=log)
    ran: list = []
    skipped: list = []
    if prepare_only:
        return {"ran": ran, "skipped": skipped, "fingerprints": fingerprints}
    for cell in tqdm(todo, desc="grid cells", unit="cell"):
        key = cell_key(grid, cell, fingerprints)
        status = cell_status(grid, cell, key)
        if status == "done":
            log(f"[{cell.name}] finished before: skipped")
            skipped.append(cell.name)
            continue
        if status == "stale":
            if not force:
                raise StiltsError(f"{cell_dir(grid, cell)}: this cell was run with another config; pass --force "
                                  f"to retrain it, or use another --out")
            import shutil
            shutil.rmtree(cell_dir(grid, cell))
        log(f"[{cell.name}] running ({status})")
        meta = run_cell(grid, cell, key, log=log)
        ran.append((cell.name, meta["seconds"]))
    return {"ran": ran, "skipped": skipped, "fingerprints": fingerprints}
