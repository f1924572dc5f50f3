"""Frozen-prefix feature cache (issue 22, point 3), against the uncached path in the same process.

One real-data cell: e5-small (the offline real encoder), the `none` condition's target stage (XNLI trained on
the first --rows MNLI rows of ../shared/data, English dev --dev rows scored after each epoch), 3 epochs,
max_length 128, word embeddings and the lowest k layers frozen, for k = 6 and 9:

- training: the stage with the cache on a cold cache (the build, timed from the cache's own meta.json), then
  --repeats times without the cache and on the warm cache, alternated (identical runs on 2 shared cores vary by
  up to 20%, so one pair decides nothing; medians are reported). Per cell with the cache = warm time +
  build / GRID, where GRID is the number of cells that share one build: every cell of a grid starts its target
  stage from the same frozen prefix (the base model's, untouched by intermediate training above layer k) and
  tokenises the same MNLI rows, so one build serves them all; GRID = 21 by default (--grid): the real-data
  grid's 3 seeds x 7 conditions.
- evaluation: zero-shot XNLI of that cell's model (--eval-langs, --eval-rows per language) without and with the
  cache (warm; its build, also shared by every cell of the grid, amortised the same way), alternated and
  repeated the same way.
- max_abs_logit_diff: the trained model's logits on the dev rows, fed token ids vs stored states (float32).

The eval cache's build runs k of the 12 layers over every evaluation text once, so even a free top would give a
cell 12 / ((12-k) + k/GRID) at most (`eval_ceiling_for_grid`: 3.5 at k=9 over 21 cells, 87.5% of the bound;
90% would need 27 cells);
`*_without_build` are the ratios once the cache exists.

Bounds: a training step costs about k frozen layer-forwards plus 3(12-k) for the trained top uncached (forward
and backward), only the 3(12-k) cached, so (k + 3(12-k)) / (3(12-k)); evaluation 12/(12-k). The head, data
loading and dev scoring are outside both, so a measured ratio sits somewhat below its bound.

Run: `.venv/bin/python bench/bench_feature_cache.py` (about 90 min on 2 cores with 3 repeats; `--ks 9 --merge`
about 45 min; `--rows 200 --ks 6 --repeats 1` to try it).
Writes results/feature_cache.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).parent / "results"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LAYERS = 12


def bounds(k: int) -> tuple[float, float]:
    top = 3 * (LAYERS - k)
    return (k + top) / top, LAYERS / (LAYERS - k)


def stage_config(out: Path, k: int, cache: bool, args: argparse.Namespace):
    from stilts.train.config import resolve

    return resolve(None, {"out": str(out), "model": "e5-small", "target": "xnli", "source": "data-dir",
                          "data_dir": str(SHARED), "limit": args.rows, "dev_limit": args.dev, "max_length": 128,
                          "epochs": {"xnli": 3}, "freeze_embeddings": True, "freeze_layers": k,
                          "feature_cache": cache})


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def build_seconds(cache_root: Path, since: float) -> tuple[float, float]:
    """Seconds and MB of the feature-cache entries written after `since` (their own meta.json)."""
    seconds = mb = 0.0
    for meta in (cache_root / "prefix-features").glob("*/*/meta.json"):
        if meta.stat().st_mtime >= since:
            seconds += json.loads(meta.read_text())["seconds"]
            mb += (meta.parent / "hidden.bin").stat().st_size / 2**20 if (meta.parent / "hidden.bin").exists() else 0
    return seconds, mb


def max_logit_diff(model_dir: Path, k: int, args: argparse.Namespace) -> float:
    from transformers import AutoTokenizer

    from stilts.core.batching import collate
    from stilts.core.features import encode
    from stilts.core.tasks import get_task, load
    from stilts.eval.zero_shot import _head_model
    from stilts.models import freeze
    from stilts.models.feature_cache import cached_features
    from stilts.models.prefix import PrefixModel

    spec = get_task("xnli")
    tok = AutoTokenizer.from_pretrained(model_dir)
    rows = load(spec, "dev", "en", source="data-dir", data_dir=str(SHARED))
    rows = rows.select(range(min(args.dev, len(rows))))
    feats = encode(rows, spec.kind, tok, 128)
    model = _head_model(str(model_dir), spec).eval()
    freeze(model, layers=k)
    wrapped = PrefixModel(model, k).eval()
    cached = cached_features(model, k, feats, tok.pad_token_id, fingerprint=wrapped.fingerprint, log=lambda m: None)
    worst = 0.0
    with torch.inference_mode():
        for start in range(0, len(feats), 32):
            idx = list(range(start, min(start + 32, len(feats))))
            plain, stored = collate(feats.select(idx).to_list(), tok.pad_token_id), collate(cached.select(idx).to_list(), tok.pad_token_id)
            a = wrapped(input_ids=plain["input_ids"], attention_mask=plain["attention_mask"]).logits
            b = wrapped(attention_mask=stored["attention_mask"], prefix_hidden=stored["prefix_hidden"]).logits
            worst = max(worst, float((a - b).abs().max()))
    return worst


def one_k(k: int, root: Path, args: argparse.Namespace, log) -> dict:
    from stilts.eval.zero_shot import evaluate_task
    from stilts.train.phases import run_experiment

    cache_root = Path(os.environ["STILTS_CACHE"])
    runs = {}
    # the cold cached run goes first: it also pays what any first run in a process pays (data loading and
    # tokenisation caches, allocator warm-up), which would otherwise count against the uncached path
    since = time.time()
    _, cold_s = timed(lambda: run_experiment(stage_config(root / f"k{k}-cold", k, True, args), log=log))
    build_s, cache_mb = build_seconds(cache_root, since)
    plain_runs, warm_runs = [], []
    for i in range(args.repeats):  # alternated, so a slow spell of the machine hits both paths alike
        plain_runs.append(timed(lambda: run_experiment(stage_config(root / f"k{k}-plain{i}", k, False, args),
                                                       log=log))[1])
        warm, seconds = timed(lambda: run_experiment(stage_config(root / f"k{k}-warm{i}", k, True, args), log=log))
        warm_runs.append(seconds)
    plain_s, warm_s = median(plain_runs), median(warm_runs)
    model_dir = Path(warm["run"]) / "target-xnli" / "model"
    runs["train"] = {"plain_s": round(plain_s, 1), "cold_s": round(cold_s, 1), "warm_s": round(warm_s, 1),
                     "plain_runs_s": [round(x, 1) for x in plain_runs], "warm_runs_s": [round(x, 1) for x in warm_runs],
                     "build_s": round(build_s, 1), "dev_en": [s["dev_en"] for s in warm["scores"]]}

    ev = {"source": "data-dir", "data_dir": str(SHARED), "langs": args.eval_langs, "limit": args.eval_rows,
          "log": lambda m: None}
    since = time.time()
    _, cold_eval_s = timed(lambda: evaluate_task(str(model_dir), "xnli", feature_cache=True, **ev))
    eval_build_s, eval_mb = build_seconds(cache_root, since)
    plain_evals, warm_evals = [], []
    for _ in range(args.repeats):
        plain_eval, seconds = timed(lambda: evaluate_task(str(model_dir), "xnli", **ev))
        plain_evals.append(seconds)
        cached_eval, seconds = timed(lambda: evaluate_task(str(model_dir), "xnli", feature_cache=True, **ev))
        warm_evals.append(seconds)
    plain_eval_s, warm_eval_s = median(plain_evals), median(warm_evals)
    same = {lg: (plain_eval["languages"][lg]["score"], cached_eval["languages"][lg]["score"])
            for lg in plain_eval["languages"]}
    runs["eval"] = {"plain_s": round(plain_eval_s, 1), "cold_s": round(cold_eval_s, 1),
                    "warm_s": round(warm_eval_s, 1), "build_s": round(eval_build_s, 1),
                    "plain_runs_s": [round(x, 1) for x in plain_evals],
                    "warm_runs_s": [round(x, 1) for x in warm_evals],
                    "scores_plain_vs_cached": same}

    bound, eval_bound = bounds(k)
    per_cell = warm_s + build_s / args.grid
    per_eval = warm_eval_s + eval_build_s / args.grid
    return {"k": k, "speedup": round(plain_s / per_cell, 3), "bound": round(bound, 3),
            "speedup_share_of_bound": round(plain_s / per_cell / bound, 3),
            "eval_speedup": round(plain_eval_s / per_eval, 3), "eval_bound": round(eval_bound, 3),
            "eval_share_of_bound": round(plain_eval_s / per_eval / eval_bound, 3),
            "speedup_without_build": round(plain_s / warm_s, 3),
            "eval_speedup_without_build": round(plain_eval_s / warm_eval_s, 3),
            "eval_ceiling_for_grid": round(LAYERS / ((LAYERS - k) + k / args.grid), 3),
            "cache_mb": round(cache_mb + eval_mb, 1), "train_cache_mb": round(cache_mb, 1),
            "eval_cache_mb": round(eval_mb, 1),
            "max_abs_logit_diff": max_logit_diff(model_dir, k, args), **runs}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=1000)
    p.add_argument("--dev", type=int, default=300)
    p.add_argument("--ks", default="6,9")
    p.add_argument("--grid", type=int, default=21,
                   help="cells that share one cache build (the real-data grid's 3 seeds x 7 conditions per target)")
    p.add_argument("--repeats", type=int, default=3, help="alternated plain and cached runs; medians are reported")
    p.add_argument("--eval-langs", default="en,ar,sw,th,hi")
    p.add_argument("--eval-rows", type=int, default=1000)
    p.add_argument("--out", default=str(RESULTS / "feature_cache.json"))
    p.add_argument("--merge", action="store_true", help="replace only these k in --out, keep the others")
    args = p.parse_args()
    if args.repeats < 1 or args.grid < 1:
        p.error("--repeats and --grid must be at least 1")
    args.eval_langs = args.eval_langs.split(",")
    torch.manual_seed(0)
    root = Path(tempfile.mkdtemp(prefix="bench-feature-cache-"))
    os.environ["STILTS_CACHE"] = os.environ.get("BENCH_STILTS_CACHE", str(root / "cache"))
    from stilts.train.config import resolve
    from stilts.train.phases import base_encoder

    base_encoder(resolve(None, {"out": str(root / "x"), "model": "e5-small", "target": "xnli"}), print)  # convert once, untimed
    results = []
    for k in [int(x) for x in args.ks.split(",")]:
        r = one_k(k, root, args, log=lambda m: None)
        print(json.dumps(r), flush=True)
        results.append(r)
    meta = {"cell": f"e5-small, XNLI target stage (none condition): {args.rows} MNLI rows of ../shared/data, 3 epochs, "
                    f"max_length 128, English dev {args.dev} rows per epoch, batch 32; eval: XNLI "
                    f"{','.join(args.eval_langs)}, {args.eval_rows} rows each",
            "amortised_over": f"{args.grid} cells share one cache build",
            "repeats": f"{args.repeats} alternated plain and cached runs each, medians",
            "threads": torch.get_num_threads(), "cpu": platform.processor() or platform.machine(),
            "command": "python bench/bench_feature_cache.py " + " ".join(sys.argv[1:])}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = [{**r, **meta} for r in results]
    if args.merge and out.is_file():
        mine = {r["k"] for r in rows}
        rows = sorted([r for r in json.loads(out.read_text()) if r["k"] not in mine] + rows, key=lambda r: r["k"])
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    tmp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
