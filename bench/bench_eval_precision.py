"""Inference precision on the CPU (stilts.core.precision): zero-shot evaluation at fp32 against bf16 autocast,
in the same process, on the real-data grid's settings (e5-small, the lowest 9 layers' states read from the
feature cache, ../shared/data).

- retrieval: Tatoeba (9 languages, 1,000 pairs each) and BUCC zh-en (dev: 8,624 + 13,589 sentences) on the
  plain e5-small (its prefix stored as the grid's `none` cells store it), at e5-small's own reading (last layer,
  mean pooling, "query: ");
- classification: XNLI, 10 languages x rows 500-799, on a trained cell's model when --xnli-model names one
  (e.g. a real-data grid cell's `model` directory).

Each task runs once at fp32 first (which builds the feature cache, timed apart as `cold_s`), then at fp32 and
bf16 on the warm cache, alternating --repeats times; the ratio is the fp32 time over the bf16 time (medians), and
the scores of both are kept per language. Run: `.venv/bin/python bench/bench_eval_precision.py --xnli-model
out/real-data/grid/cells/english/xnli/seed0/model` (about 8 minutes on 2 cores). Writes
results/eval_precision.json."""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).parent / "results"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LANGS = ["en", "ar", "de", "es", "hi", "ru", "sw", "th", "tr", "zh"]


def run(model: str, task: str, precision: str, extra: dict) -> tuple[dict, float]:
    from stilts.eval.zero_shot import evaluate_task

    t0 = time.perf_counter()
    r = evaluate_task(model, task, source="data-dir", data_dir=str(SHARED), feature_cache=True,
                      precision=precision, log=lambda m: None, **extra)
    return r, time.perf_counter() - t0


def one(model: str, task: str, extra: dict, repeats: int) -> dict:
    _, cold = run(model, task, "fp32", extra)
    times: dict[str, list[float]] = {"fp32": [], "bf16": []}
    scores = {}
    for _ in range(repeats):
        for p in ("fp32", "bf16"):
            r, s = run(model, task, p, extra)
            times[p].append(round(s, 2))
            scores[p] = {lg: round(e["score"], 2) for lg, e in r["languages"].items() if e.get("score") is not None}
    fp32, bf16 = statistics.median(times["fp32"]), statistics.median(times["bf16"])
    diffs = [abs(scores["fp32"][lg] - scores["bf16"][lg]) for lg in scores["fp32"]]
    avg = {p: round(statistics.mean(v.values()), 2) for p, v in scores.items()}
    return {"task": task, "model": model, "cold_fp32_s": round(cold, 1), "fp32_s": times["fp32"],
            "bf16_s": times["bf16"], "speedup": round(fp32 / bf16, 3), "scores": scores, "avg": avg,
            "max_abs_score_diff": round(max(diffs), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--xnli-model", help="a trained XNLI model directory (else XNLI is left out)")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--tasks", default="tatoeba,bucc,xnli")
    args = ap.parse_args()
    from stilts.models.e5_small import e5_small_dir

    e5 = str(e5_small_dir(log=lambda m: None))
    rows = []
    for task in args.tasks.split(","):
        if task == "xnli":
            if not args.xnli_model:
                continue
            rows.append(one(args.xnli_model, task, {"langs": LANGS, "skip": 500, "limit": 300}, args.repeats))
        else:
            rows.append(one(e5, task, {"langs": LANGS, "cache_layers": 9}, args.repeats))
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "scores"}))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "eval_precision.json"
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
                               "rows": rows}, indent=1), encoding="utf-8")
    tmp.replace(out)
    print(f"written: {out}")


if __name__ == "__main__":
    main()
