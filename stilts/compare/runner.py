"""Running a grid: build its advmine datasets, then each cell (`stilts train` + `stilts eval`), skipping cells
whose `cell.json` says they finished with the same key. A cell stopped midway resumes from its stage markers and
the training loop's checkpoints. `shard="i/n"` runs every n-th cell, for one job per GPU or per cluster task."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING


from stilts.compare.eval_overlap import check_grid
from stilts.compare.grid import (Cell, GridConfig, cell_dir, cell_key, cells, dataset_dir, datasets_of,
                                 eval_retrieval, experiment_config)
from stilts.core.built_dataset import BuiltDataset
from stilts.core.errors import StiltsError
from stilts.core.markers import done, mark_done, read_marker

if TYPE_CHECKING:
    from advmine.config import BuildConfig
    from stilts.train.config import ExperimentConfig


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

    if not BuiltDataset.is_built(out):
        return None
    try:
        return resolve(None, BuiltDataset(str(out)).build_config() | {"out": str(out)}).key()
    except (OSError, StiltsError, TypeError, AttributeError):
        return None


def built_stats(out: Path) -> dict | None:
    """A built dataset's stats (fingerprint, rows per split), or None when it is not built."""
    return BuiltDataset(str(out)).stats() if BuiltDataset.is_built(out) else None


def _groups(cfg: "BuildConfig") -> int:
    """Language groups a build selects in: its target languages, plus English when it keeps the source."""
    return len(cfg.langs) + int(cfg.include_source)


def build_config(grid: GridConfig, name: str) -> "BuildConfig":
    """The advmine config of a grid dataset; `same_size_as` turns into a per-language row budget."""
    import dataclasses

    from advmine.config import resolve
    from advmine.selectors import SelectConfig

    spec = dict(grid.datasets[name] or {})
    ref = spec.pop("same_size_as", None)
    try:
        cfg = resolve(None, {**spec, "out": str(dataset_dir(grid, name)), "source": grid.source,
                             "data_dir": grid.data_dir})
    except StiltsError as e:
        raise StiltsError(f"grid datasets.{name}: {e}") from None
    if ref:
        ref_dir = dataset_dir(grid, ref)
        stats = built_stats(ref_dir)
        if stats is None:
            raise StiltsError(f"datasets.{name}.same_size_as: {ref} is not built yet ({ref_dir})")
        budget = float(max(1, stats["rows"]["train"] // max(_groups(cfg), 1)))
        cfg = dataclasses.replace(cfg, select=dataclasses.replace(cfg.select or SelectConfig(), budget=budget))
    return cfg


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
        stats = built_stats(out)
        fingerprints[name] = stats["fingerprint"]
        ref = (grid.datasets[name] or {}).get("same_size_as")
        if ref:
            have, want = stats["rows"]["train"], built_stats(dataset_dir(grid, ref))["rows"]["train"]
            if abs(have - want) > max(0.01 * want, 1 + _groups(cfg)):
                raise StiltsError(f"datasets.{name}: {have} rows, but same_size_as {ref} has {want}: its pool is too "
                                  f"small for that size; lower {ref}'s select.budget")
    return fingerprints


CELL_MARKER = "cell.json"


def cell_status(grid: GridConfig, cell: Cell, key: str, legacy_key: str | None = None) -> str:
    """done | stale (finished with another config) | partial | new."""
    d = cell_dir(grid, cell)
    meta = read_marker(d, CELL_MARKER)
    if meta is not None:
        finished = all((d / "eval" / f"{t}.json").is_file() for t in meta.get("eval_tasks", []))
        same = meta["key"] in (key, legacy_key)
        if same and finished:
            return "done"
        return "partial" if same else "stale"
    return "partial" if d.exists() else "new"


SHARED = ("phase1-continued-mlm", "intermediate-")


def reuse_shared_stages(grid: GridConfig, cell: Cell, cfg: "ExperimentConfig", log=print) -> list[str]:
    """Phase 1 (continued MLM) and phase 2 do not depend on the target: link them from another target's cell of
    the same condition and seed where they finished with the very key this cell's would have, instead of training
    them once per target."""
    import os

    from stilts.train.phases import stage_keys
    from stilts.train.stages import plan

    d = cell_dir(grid, cell)
    keys = {name: k for name, k in stage_keys(cfg, plan(cfg)).items() if name.startswith(SHARED)}
    linked = []
    for target in grid.targets:
        if target == cell.target:
            continue
        other = cell_dir(grid, Cell(cell.condition, target, cell.seed))
        for name, key in keys.items():
            stage = other / name
            if done(stage, key) and not (d / name).exists():
                d.mkdir(parents=True, exist_ok=True)
                os.symlink(os.path.relpath(stage.resolve(), d), d / name)
                linked.append(name)
                log(f"[{cell.name}] {name}: shared with {Cell(cell.condition, target, cell.seed).name}")
    return linked


def run_cell(grid: GridConfig, cell: Cell, key: str, log=print) -> dict:
    from stilts.eval.zero_shot import evaluate_task, write_results
    from stilts.train.phases import base_encoder, run_experiment
    from stilts.train.stages import plan

    d = cell_dir(grid, cell)
    t0 = time.perf_counter()
    cfg = experiment_config(grid, cell)
    trained, result = bool(plan(cfg)), None
    if trained:
        reuse_shared_stages(grid, cell, cfg, log)
        run_experiment(cfg, log=log)
        model = str(d / "model")
    else:   # a retrieval target with no training of its own (Tatoeba, BUCC) and no intermediate stage: the
        model = base_encoder(cfg, log)   # phase-1 encoder itself is what the condition evaluates
        log(f"[{cell.name}] no stage to train: {cell.target} is scored on the phase-1 encoder {model}")
        result = untrained_result(grid, cell, model, log)
    e = grid.eval.for_task(cell.target)
    if result is None:
        result = evaluate_task(model, cell.target, source=grid.source, data_dir=grid.data_dir,
                               langs=e.langs, split=e.split, limit=e.limit, skip=e.skip,
                               retrieval=eval_retrieval(e, cfg), feature_cache=cfg.feature_cache,
                               feature_cache_dtype=cfg.feature_cache_dtype,
                               cache_layers=0 if trained else cfg.freeze_layers,
                               precision=cfg.eval_precision, log=log)
    write_results([result], d / "eval", cell.name)
    meta = {"cell": cell.name, "condition": cell.condition, "target": cell.target, "seed": cell.seed,
            "eval_tasks": [cell.target], "seconds": round(time.perf_counter() - t0, 1), "trained": trained}
    mark_done(d, key, CELL_MARKER, **meta)
    return {"key": key, **meta}


def untrained_result(grid: GridConfig, cell: Cell, model: str, log=print) -> dict | None:
    """The evaluation of another seed's cell of this condition and target when nothing was trained in either: the
    same phase-1 encoder on the same rows gives the same scores, so it is read, not recomputed (the seed enters no
    stage). None when no such cell has finished."""
    from stilts.eval.zero_shot import model_fingerprint

    fingerprint = model_fingerprint(model)
    for seed in grid.seeds:
        other = Cell(cell.condition, cell.target, seed)
        f = cell_dir(grid, other) / "eval" / f"{cell.target}.json"
        marker = read_marker(cell_dir(grid, other), CELL_MARKER)
        # an untrained cell reads no dataset, so its key needs no dataset fingerprints
        if seed == cell.seed or marker is None or marker["key"] != cell_key(grid, other, {}) or not f.is_file():
            continue
        result = json.loads(f.read_text(encoding="utf-8"))
        if result.get("model_fingerprint") == fingerprint:
            log(f"[{cell.name}] the untrained encoder's {cell.target} scores of {other.name}: no stage reads the seed")
            return result
    return None


def list_cells(grid: GridConfig, shard: str | None = None, only: list[str] | None = None) -> str:
    """One line per cell: its status and the command that runs it alone (for a cluster job array)."""
    built = {name: built_stats(dataset_dir(grid, name)) for name in grid.datasets}
    fingerprints = {name: stats["fingerprint"] for name, stats in built.items() if stats}
    lines = []
    for cell in select_cells(grid, shard, only):
        status = cell_status(grid, cell, cell_key(grid, cell, fingerprints),
                             cell_key(grid, cell, fingerprints, legacy=True))
        lines.append(f"{cell.name:<48} {status:<8} stilts compare GRID --cell {cell.name}")
    return "\n".join(lines)


def run_grid(grid: GridConfig, shard: str | None = None, only: list[str] | None = None, force: bool = False,
             prepare_only: bool = False, log=print) -> dict:
    """Run the selected cells one after another; returns what ran (with seconds) and what was skipped. The
    grid directory must be absent, empty or a grid's own (cells, datasets, results); each cell and each
    dataset build holds its own lock, so shards can share one grid directory."""
    from tqdm.auto import tqdm

    from stilts.core.outputs import check_replaceable

    check_replaceable(grid.out, "stilts compare", ("results.json", "report.md"),
                      also_ours=("cells", "datasets", "plots", "results.json", "report.md", ".report.md"))
    todo = select_cells(grid, shard, only)
    fingerprints = prepare_datasets(grid, datasets_of(grid, todo), log=log)
    check_grid(grid, todo)   # no cell trains on rows its target scores (a build from a benchmark's own rows)
    ran: list = []
    skipped: list = []
    if prepare_only:
        return {"ran": ran, "skipped": skipped, "fingerprints": fingerprints}
    for cell in tqdm(todo, desc="grid cells", unit="cell"):
        key = cell_key(grid, cell, fingerprints)
        status = cell_status(grid, cell, key, cell_key(grid, cell, fingerprints, legacy=True))
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
