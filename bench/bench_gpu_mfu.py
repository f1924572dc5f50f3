"""GPU throughput and model FLOP utilisation (MFU) of training XLM-R large (random init) in bf16 at sequence
length 256 (issue 6), three ways in one process:

1. a bf16 8192^3 matrix product: the card's attainable peak here (the baseline the MFU is also related to);
2. a plain hand-written step (autocast bf16, fused AdamW): what the model itself allows;
3. the project's own loop (`stilts.train.loop.train_loop`: accelerate bf16, AdamW, clipping, LR schedule,
   collation from a `datasets.Dataset`), timed as the difference of two runs of 10 and 40 optimizer steps, so
   set-up, the final dev evaluation and the checkpoint cancel out.

MFU = (6 N + 12 L d s) x tokens/s / peak, with N the non-embedding parameters, L layers, d hidden size, s the
sequence length, against the dense bf16 peak of an H100/H200 SXM (989 TFLOP/s) and against the measured product.
Needs a CUDA GPU: without one it says so and writes nothing.
Run: `python bench/bench_gpu_mfu.py [--batches 32,128] [--steps 30] [--merge]`; results in bench/results/gpu_mfu.json.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).parent / "results"
PEAK_BF16 = 989e12


def xlmr_large():
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    cfg = XLMRobertaConfig(vocab_size=250002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                           intermediate_size=4096, max_position_embeddings=514, num_labels=3)
    torch.manual_seed(0)
    return XLMRobertaForSequenceClassification(cfg).cuda(), cfg


def gemm_tflops(n: int = 8192) -> float:
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(10):
        a @ b
    torch.cuda.synchronize()
    return 2 * n ** 3 * 10 / (time.perf_counter() - t0)


def plain_steps(batch: int, seq: int, steps: int) -> float:
    """Seconds per optimizer step of a hand-written bf16 loop (no clipping, no schedule)."""
    model, cfg = xlmr_large()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=True)
    ids = torch.randint(5, cfg.vocab_size, (batch, seq), device="cuda")
    labels = torch.randint(0, 3, (batch,), device="cuda")

    def step() -> None:
        with torch.autocast("cuda", dtype=torch.bfloat16):
            model(input_ids=ids, labels=labels).loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(5):
        step()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    seconds = (time.perf_counter() - t0) / steps
    del model, opt
    torch.cuda.empty_cache()
    return seconds


def loop_step_seconds(batch: int, seq: int, steps: int, out: Path, compile_: bool = False) -> float:
    """Steady-state seconds per optimizer step of `train_loop` on synthetic rows of exactly `seq` tokens: from
    the loop's own metrics.jsonl (cumulative tokens/s every 10 steps), between step 10 and the last step, so
    start-up and compilation are left out."""
    from datasets import Dataset

    from stilts.train.loop import LoopConfig, train_loop

    gen = torch.Generator().manual_seed(0)
    total = 10 + steps
    rows = batch * total
    ids = torch.randint(5, 250002, (rows, seq), generator=gen).tolist()
    train = Dataset.from_dict({"input_ids": ids, "attention_mask": [[1] * seq] * rows,
                               "labels": torch.randint(0, 3, (rows,), generator=gen).tolist(),
                               "length": [seq] * rows})
    model, _ = xlmr_large()
    cfg = LoopConfig(lr=1e-5, batch_size=batch, grad_accum=1, epochs=1, max_steps=total, mixed_precision="bf16",
                     checkpoint_every=10 ** 9, log_every=10, compile=compile_)
    shutil.rmtree(out, ignore_errors=True)
    train_loop(model, train, lambda m: {"none": 0.0}, cfg, out, pad_id=1, metric="none", log=lambda m: None)
    logged = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    at = {e["step"]: e["tokens_per_s"] for e in logged if "tokens_per_s" in e}
    elapsed = {k: k * batch * seq / v for k, v in at.items()}  # seconds since the loop started, at step k
    del model
    torch.cuda.empty_cache()
    return (elapsed[total] - elapsed[10]) / (total - 10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--batches", default="32,128", help="Batch sizes to measure, comma-separated.")
    ap.add_argument("--merge", action="store_true", help="Add these runs to an existing results file.")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("bench_gpu_mfu: no CUDA GPU here; run it on an H100/H200-class machine (nothing written)")
        return
    model, cfg = xlmr_large()
    n = sum(p.numel() for name, p in model.named_parameters() if "embeddings" not in name)
    del model
    torch.cuda.empty_cache()
    flops_per_token = 6 * n + 12 * cfg.num_hidden_layers * cfg.hidden_size * args.seq
    measured_peak = gemm_tflops()

    def entry(seconds: float, batch: int) -> dict:
        tps = batch * args.seq / seconds
        return {"batch": batch, "step_s": round(seconds, 4), "tokens_per_s": round(tps),
                "mfu_vs_989": round(flops_per_token * tps / PEAK_BF16, 4),
                "mfu_vs_measured_gemm": round(flops_per_token * tps / measured_peak, 4)}

    tmp = Path(tempfile.mkdtemp(prefix="bench-loop-"))
    runs = {}
    for batch in (int(b) for b in args.batches.split(",")):
        runs[f"plain_step_b{batch}"] = entry(plain_steps(batch, args.seq, args.steps), batch)
        runs[f"stilts_loop_b{batch}"] = entry(loop_step_seconds(batch, args.seq, args.steps, tmp / "eager"), batch)
        runs[f"stilts_loop_b{batch}_compiled"] = entry(
            loop_step_seconds(batch, args.seq, args.steps, tmp / "compiled", compile_=True), batch)
    shutil.rmtree(tmp, ignore_errors=True)
    result = {"gpu": torch.cuda.get_device_name(), "torch": torch.__version__, "seq": args.seq,
              "non_embedding_params": n, "flops_per_token": flops_per_token,
              "measured_bf16_gemm_tflops": round(measured_peak / 1e12, 1), "peak_bf16_tflops_spec": PEAK_BF16 / 1e12,
              "runs": runs, "goal": "MFU >= 0.40 of the bf16 peak",
              "how": "plain: hand-written autocast step with fused AdamW (baseline, same process); stilts_loop: "
                     "train_loop (accelerate bf16, fused AdamW on CUDA, clipping, schedule, Dataset collation), "
                     "steady state from its metrics.jsonl; compiled: LoopConfig.compile (torch.compile, dynamic)"}
    RESULTS.mkdir(exist_ok=True)
    if args.merge and (RESULTS / "gpu_mfu.json").is_file():
        before = json.loads((RESULTS / "gpu_mfu.json").read_text())
        result["runs"] = {**before["runs"], **runs}
        result["measured_bf16_gemm_tflops_by_run"] = sorted({before["measured_bf16_gemm_tflops"],
                                                             result["measured_bf16_gemm_tflops"]})
    (RESULTS / "gpu_mfu.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
