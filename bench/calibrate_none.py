"""Calibration of the `none` condition (issue 22, point 6): how many rows, epochs and frozen layers the baseline
needs on 2 CPU cores before a grid's differences mean anything.

For each setting (target, rows, epochs, k) it trains the `none` cell's target stage (e5-small, the target's
English training rows from ../shared/data, max_length 128, word embeddings and the lowest k layers frozen, the
feature cache on) and records the wall time of the whole stage (cache build included: a first cell pays it) and
the English dev score after each epoch (500 dev rows), its best, and the convergence flag. Settings already in
the results file are skipped, so an interrupted run resumes. The summary names, per target, epochs and k, the
smallest row count whose best dev score is within 3 points of the same setting with twice the rows.

Every stage of a target trains (XCOPA: its hidden SIQA stage, then COPA), each row of the table per stage.
Run: `.venv/bin/python bench/calibrate_none.py --targets xnli,panx --rows 500,1000,2000,4000 --epochs 1,3 --ks 9`
then `--rows 1000,2000 --epochs 3 --ks 6` (both append to results/calibration.json); `--table` prints the
markdown table.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).parent / "results" / "calibration.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
WITHIN = 3.0


def _load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def _save(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    tmp.replace(path)


LR, BATCH = 5e-5, 32     # e5-small's profile; results without these keys were run with them


def _key(r: dict) -> tuple:
    return r["target"], r["rows"], r["epochs"], r["k"], r.get("lr", LR), r.get("batch_size", BATCH)


def _stage(stage: dict) -> dict:
    return {"train_rows": stage["train_rows"], "metric": stage["metric"], "dev_en": round(stage["dev_en"], 2),
            "best_epoch": stage["best_epoch"], "converged": stage.get("converged"),
            "last_gain": stage.get("last_gain"),
            "curve": [round(point[stage["metric"]], 2) for point in stage.get("curve") or []]}


def run_setting(target: str, rows: int, epochs: int, k: int, lr: float, batch: int, root: Path) -> dict:
    """Every stage of the target (XCOPA: SIQA, then COPA) trains `epochs` on its first `rows` rows."""
    from stilts.core.tasks import get_task
    from stilts.train.config import resolve
    from stilts.train.phases import run_experiment

    spec = get_task(target)
    tasks = list(spec.stages or [spec.train_from or target]) + [target]
    cfg = resolve(None, {"out": str(root / f"{target}-{rows}-{epochs}-{k}-{lr}-{batch}"), "model": "e5-small",
                         "target": target, "source": "data-dir", "data_dir": str(SHARED), "limit": rows,
                         "max_length": 128, "epochs": {t: epochs for t in tasks}, "freeze_embeddings": True,
                         "freeze_layers": k, "feature_cache": True, "train.lr": lr, "train.batch_size": batch})
    t0 = time.perf_counter()
    result = run_experiment(cfg, log=lambda m: None)
    wall = time.perf_counter() - t0
    out = {"target": target, "rows": rows, "epochs": epochs, "k": k, "lr": lr, "batch_size": batch,
           "wall_s": round(wall, 1), **_stage(result["scores"][-1])}
    if len(result["scores"]) > 1:
        out["stages"] = {s["stage"]: _stage(s) for s in result["scores"]}
    return out


def smallest_stable(rows: list[dict]) -> list[str]:
    """Per (target, epochs, k): the smallest row count within WITHIN points of twice its rows."""
    lines = []
    group = lambda r: (r["target"], r["epochs"], r["k"], r.get("lr", LR), r.get("batch_size", BATCH))  # noqa: E731
    for target, epochs, k, lr, batch in sorted({group(r) for r in rows}):
        by_rows = {r["rows"]: r for r in rows if group(r) == (target, epochs, k, lr, batch)}
        found = next((n for n in sorted(by_rows) if 2 * n in by_rows
                      and by_rows[2 * n]["dev_en"] - by_rows[n]["dev_en"] <= WITHIN), None)
        pairs = ", ".join(f"{n}->{2 * n}: {by_rows[2 * n]['dev_en'] - by_rows[n]['dev_en']:+.1f}"
                          for n in sorted(by_rows) if 2 * n in by_rows)
        if not pairs:   # one size only: nothing to compare
            continue
        lines.append(f"- {target}, {epochs} epoch(s), k={k}, lr {lr:g}, batch {batch}: "
                     + (f"**{found} rows** ({by_rows[found]['wall_s']:.0f} s)" if found else "none of the measured sizes")
                     + f" is within {WITHIN:.0f} points of twice its rows (gain from doubling: {pairs or 'no pair'})")
    return lines


def table(rows: list[dict]) -> str:
    out = ["| target | rows | epochs | k | lr | batch | wall (s) | English dev (best) | per-epoch dev | converged |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=_key):
        for name, st in (r.get("stages") or {"": r}).items():
            curve = " / ".join(f"{v:.1f}" for v in st["curve"]) if isinstance(st.get("curve"), list) else "-"
            conv = "-" if st["converged"] is None else "yes" if st["converged"] else f"**no** (+{st['last_gain']:.1f})"
            target = f"{r['target']} ({name})" if name else r["target"]
            out.append(f"| {target} | {r['rows']} | {r['epochs']} | {r['k']} | {r.get('lr', LR):g} | "
                       f"{r.get('batch_size', BATCH)} | {r['wall_s']:.0f} | {st['dev_en']:.1f} ({st['metric']}) | "
                       f"{curve} | {conv} |")
    return "\n".join(out + [""] + smallest_stable(rows))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--targets", default="xnli,panx")
    p.add_argument("--rows", default="500,1000,2000,4000")
    p.add_argument("--epochs", default="1,3")
    p.add_argument("--ks", default="9")
    p.add_argument("--lrs", default=str(LR))
    p.add_argument("--batch-sizes", default=str(BATCH))
    p.add_argument("--out", default=str(RESULTS))
    p.add_argument("--table", action="store_true", help="print the markdown table of the results and stop")
    args = p.parse_args()
    out = Path(args.out)
    done = _load(out)
    if args.table:
        print(table(done))
        return
    root = Path(tempfile.mkdtemp(prefix="calibrate-none-"))
    os.environ.setdefault("STILTS_CACHE", str(Path.home() / ".cache" / "stilts"))
    have = {_key(r) for r in done}
    ints = lambda s: [int(x) for x in s.split(",")]  # noqa: E731
    floats = lambda s: [float(x) for x in s.split(",")]  # noqa: E731
    todo = [s for s in itertools.product(args.targets.split(","), ints(args.rows), ints(args.epochs), ints(args.ks),
                                         floats(args.lrs), ints(args.batch_sizes)) if s not in have]
    from tqdm.auto import tqdm

    for setting in tqdm(todo, desc="calibration", unit="setting"):
        r = run_setting(*setting, root)
        r["command"] = "python bench/calibrate_none.py " + " ".join(sys.argv[1:])
        done.append(r)
        _save(out, done)
        tqdm.write(json.dumps({k: v for k, v in r.items() if k != "command"}))
    print(table(done))


if __name__ == "__main__":
    main()
