"""Translation benchmarks (issue 4), each a ratio against a baseline run in the same process:

1. batched, length-sorted translation (the translator's token-budget batches) vs a one-example-at-a-time loop,
   same model, same texts, same generation settings;
2. a warm-cache rerun of the translate step vs a cold one (same config, fresh output dirs);
3. the two backends (issue 16), same inputs, same batches: transformers `generate` vs CTranslate2 float32 and
   int8, sentences/s, on a random Marian and a random NLLB-architecture model (advmine.translators.tiny_nllb),
   on CPU; plus, where CUDA is available, NLLB-200-distilled-600M's architecture (random weights, bf16) into
   3 languages, with the projection for MNLI x 7 languages.

The models are randomly initialised (advmine.tiny; d_model 256, 3+3 layers, 300 pieces): the shapes of real
opus-mt work on this CPU without a download. Run: `make bench` or `.venv/bin/python bench/bench_translate.py`.
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

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advmine.build import build  # noqa: E402
from advmine.config import TranslatorConfig, resolve  # noqa: E402
from advmine.tiny import build_tiny_marian  # noqa: E402
from advmine.translators import make_translator  # noqa: E402
from advmine.translators.tiny_nllb import build_tiny_nllb  # noqa: E402
from stilts.core.tasks import load  # noqa: E402

RESULTS = Path(__file__).parent / "results"
N_TEXTS = 256
MAX_NEW = 24
ROUNDS = 3
GPU_TEXTS = 2000              # per language
BF16 = "bfloat16"
MNLI_X7_STRINGS = 3_700_000   # README: 392,702 rows x 7 languages, premises repeated three times
# facebook/nllb-200-distilled-600M's config.json: the GPU section's architecture (random weights)
NLLB_600M = {"d_model": 1024, "layers": 12, "ffn": 4096, "heads": 16, "model_vocab_size": 256206}


def compare_backends(model: Path, family: str, texts: list[str], langs: list[str], types: list[str],
                     max_new: int = MAX_NEW) -> dict:
    """Sentences/s of `generate` and CTranslate2 (each compute type) over `texts` into each of `langs`: every
    translator loaded and warmed up first (conversion included), then ROUNDS rounds taking turns, best round
    each, so that a burst of load from other processes on this shared machine hits no backend alone."""
    runs = {"generate": ("generate", "auto"), **{f"ctranslate2_{ct}": ("ctranslate2", ct) for ct in types}}
    trs = {k: make_translator(TranslatorConfig(name=family, model_id=str(model), max_new_tokens=max_new,
                                               backend=b, compute_type=ct)) for k, (b, ct) in runs.items()}
    for tr in trs.values():
        tr.translate(texts[:8], langs[0])
    best = dict.fromkeys(trs, float("inf"))
    outs: dict[str, list[str]] = {}
    for _ in range(ROUNDS):
        for k, tr in trs.items():
            t0 = time.perf_counter()
            outs[k] = [o for lang in langs for o in tr.translate(texts, lang)]
            best[k] = min(best[k], time.perf_counter() - t0)
    n = len(texts) * len(langs)
    row: dict = {"rounds": ROUNDS, "generate_sent_s": round(n / best["generate"], 1)}
    for k in list(trs)[1:]:
        row[f"{k}_sent_s"] = round(n / best[k], 1)
        row[f"{k}_speedup"] = round(best["generate"] / best[k], 2)
        row[f"{k}_identical_outputs"] = round(sum(a == b for a, b in zip(outs["generate"], outs[k])) / n, 3)
    return row


def backends_cpu(tmp: Path, marian: Path, texts: list[str]) -> dict:
    nllb = build_tiny_nllb(tmp / "nllb", d_model=256, layers=3, ffn=1024, heads=4, vocab_size=300)
    return {"texts": len(texts), "max_new_tokens": MAX_NEW, "target": "sw", "greedy": True,
            "marian": {"model": "random Marian d_model=256, 3+3 layers, ffn 1024, 300 pieces",
                       **compare_backends(marian, "marian", texts, ["sw"], ["float32", "int8"])},
            "nllb": {"model": "random NLLB (M2M100 architecture) d_model=256, 3+3 layers, ffn 1024, 504 tokens",
                     **compare_backends(nllb, "nllb", texts, ["sw"], ["float32", "int8"])},
            # the opus-mt-en-xx architecture itself (d_model 512, 6+6 layers, ffn 2048, 8 heads), small vocabulary
            "marian_opus_mt_size": {"model": "random Marian d_model=512, 6+6 layers, ffn 2048, 8 heads, 300 pieces "
                                             "(opus-mt-en-xx's shape but its 60k-piece vocabulary)",
                                    **compare_backends(build_tiny_marian(tmp / "marian512", d_model=512, layers=6,
                                                                         ffn=2048, heads=8, vocab_size=300),
                                                       "marian", texts, ["sw"], ["float32", "int8"])}}


def backends_gpu(tmp: Path, texts: list[str]) -> dict | str:
    if not torch.cuda.is_available():
        return "not measured (no CUDA device in this session)"
    nllb = build_tiny_nllb(tmp / "nllb600m", vocab_size=300, **NLLB_600M)
    langs = ["sw", "ar", "hi"]
    row = compare_backends(nllb, "nllb", texts, langs, [BF16], max_new=64)
    rate = {"generate": row["generate_sent_s"], f"ctranslate2_{BF16}": row[f"ctranslate2_{BF16}_sent_s"]}
    return {"device": torch.cuda.get_device_name(0), "texts_per_language": len(texts), "langs": langs,
            "max_new_tokens": 64, "model": "NLLB-200-distilled-600M architecture (12+12 layers, d_model 1024, "
            "256,206 tokens), random weights; generate bf16 (dtype auto)", **row,
            "mnli_x7_projection_hours": {k: round(MNLI_X7_STRINGS / v / 3600, 1) for k, v in rate.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only-backends", action="store_true",
                        help="measure section 3 alone and update it in results/translate.json")
    args = parser.parse_args()
    torch.manual_seed(0)
    tmp = Path(tempfile.mkdtemp(prefix="bench-translate-"))
    os.environ["STILTS_CACHE"] = str(tmp / "stilts")   # the CTranslate2 conversions of these random models
    model = build_tiny_marian(tmp / "marian", d_model=256, layers=3, ffn=1024, heads=4, vocab_size=300)
    mnli = load("mnli", "train", source="kit")
    # MNLI-length inputs: premises and hypotheses interleaved, as the translate step sends both
    pairs = [t for a, b in zip(mnli["text_a"], mnli["text_b"]) for t in (a, b)]
    backends = {"backends_cpu": backends_cpu(tmp, model, pairs[:N_TEXTS]),
                "backends_gpu": backends_gpu(tmp, pairs[:GPU_TEXTS])}
    if args.only_backends:
        write({**json.loads((RESULTS / "translate.json").read_text()), **backends})
        return
    texts = mnli["text_a"][:N_TEXTS]
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
    write({**result, **backends})


def write(result: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "translate.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
