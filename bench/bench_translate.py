"""Translation benchmarks (issue 4), each a ratio against a baseline run in the same process:

1. batched, length-sorted translation (the translator's token-budget batches) vs a one-example-at-a-time loop,
   same model, same texts, same generation settings;
2. a warm-cache rerun of the translate step vs a cold one (same config, fresh output dirs).

The model is a small randomly initialised Marian (advmine.tiny; d_model 256, 3+3 layers, 300 pieces): the shapes of
real opus-mt work on this CPU without a download. Run: `make bench` or `.venv/bin/python bench/bench_translate.py`.
"""
from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advmine.build import build  # noqa: E402
from advmine.config import TranslatorConfig, resolve  # noqa: E402
from advmine.tiny import build_tiny_marian  # noqa: E402
from advmine.translators import make_translator  # noqa: E402
from stilts.core.tasks import load  # noqa: E402

RESULTS = Path(__file__).parent / "results"
N_TEXTS = 256
MAX_NEW = 24


def main() -> None:
    torch.manual_seed(0)
    tmp = Path(tempfile.mkdtemp(prefix="bench-translate-"))
    model = build_tiny_marian(tmp / "marian", d_model=256, layers=3, ffn=1024, heads=4, vocab_size=300)
    texts = load("mnli", "train", source="kit")["text_a"][:N_TEXTS]
    tcfg = TranslatorConfig(name="marian", model_id=str(model), max_new_tokens=MAX_NEW, max_tokens=4096)
    tr = make_translator(tcfg)
    tr.translate(texts[:4], "sw")  # load and warm up

    t0 = time.perf_counter()
    one = [tr.translate([t], "sw")[0] for t in texts]
    loop_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    batched = tr.translate(texts, "sw")
    batched_s = time.perf_counter() - t0
    same = sum(a == b for a, b in zip(one, batched)) / len(texts)

    common = {"task": "mnli", "langs": ["sw"], "source": "kit", "limit": 600, "langid": "off",
              "cache_dir": str(tmp / "cache"), "translator": {"name": "marian", "model_id": str(model),
                                                               "max_new_tokens": MAX_NEW}}
    step = lambda r: next(s for s in r["stats"] if s.name == "translate").seconds  # noqa: E731
    cold = build(resolve(None, {**common, "out": str(tmp / "cold")}), log=lambda m: None)
    warm = build(resolve(None, {**common, "out": str(tmp / "warm")}), log=lambda m: None)
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads",
        "model": "random Marian d_model=256, 3+3 layers, ffn 1024, 300 pieces",
        "batched_vs_loop": {"texts": N_TEXTS, "max_new_tokens": MAX_NEW, "loop_s": round(loop_s, 2),
                            "batched_s": round(batched_s, 2), "speedup": round(loop_s / batched_s, 1),
                            "identical_outputs": round(same, 3)},
        "warm_vs_cold_cache": {"rows": 600, "strings": cold["stats"][1].info["train"]["sw"]["strings"],
                               "cold_translate_step_s": step(cold), "warm_translate_step_s": step(warm),
                               "speedup": round(step(cold) / max(step(warm), 1e-9), 1),
                               "warm_model_calls": warm["stats"][1].info["train"]["sw"]["model_calls"]},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "translate.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
