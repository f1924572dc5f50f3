"""GPU throughput and model FLOP utilisation of the one training loop's step for the XLM-R large
configuration (random init), bf16, sequence length 256 (issue 6). Needs a CUDA GPU (H100/H200 class): on a
machine without one it says so and writes nothing. MFU = (6 N + 12 L d s) x tokens/s / peak, with N the
non-embedding parameters, L layers, d hidden size, s sequence length, and the dense bf16 peak of the card
(989 TFLOP/s for H100/H200 SXM). Run: `python bench/bench_gpu_mfu.py [--batch 32] [--steps 30]`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

RESULTS = Path(__file__).parent / "results"
PEAK_BF16 = 989e12


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--seq", type=int, default=256)
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("bench_gpu_mfu: no CUDA GPU here; run it on an H100/H200-class machine (nothing written)")
        return
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    cfg = XLMRobertaConfig(vocab_size=250002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                           intermediate_size=4096, max_position_embeddings=514, num_labels=3)
    torch.manual_seed(0)
    model = XLMRobertaForSequenceClassification(cfg).cuda()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=True)
    ids = torch.randint(5, cfg.vocab_size, (args.batch, args.seq), device="cuda")
    labels = torch.randint(0, 3, (args.batch,), device="cuda")
    for _ in range(5):  # warm-up
        with torch.autocast("cuda", dtype=torch.bfloat16):
            model(input_ids=ids, labels=labels).loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            model(input_ids=ids, labels=labels).loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    tokens_per_s = args.batch * args.seq * args.steps / seconds
    n = sum(p.numel() for n_, p in model.named_parameters() if "embeddings" not in n_)
    flops_per_token = 6 * n + 12 * cfg.num_hidden_layers * cfg.hidden_size * args.seq
    result = {"gpu": torch.cuda.get_device_name(), "batch": args.batch, "seq": args.seq, "steps": args.steps,
              "tokens_per_s": round(tokens_per_s), "mfu": round(flops_per_token * tokens_per_s / PEAK_BF16, 4),
              "peak_bf16_flops": PEAK_BF16, "non_embedding_params": n}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gpu_mfu.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    sys.exit(main())
