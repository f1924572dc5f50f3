"""Training benchmarks (issue 6), against baselines in the same process:

1. Padded-token fraction on MNLI lengths (the 8,999-pair MNLI sample of ../shared/data, tokenised with the
   kit's sentencepiece vocabulary, max length 256): dynamic padding + length-grouped batches (stilts) vs
   padding every batch to 256.
2. Training throughput (real, non-pad tokens per second) of the one loop vs a plain Hugging Face `Trainer`
   (its default dynamic-padding collator, no length grouping) on the same model, data and batch size, one
   epoch each, from the same initial weights.
GPU throughput/MFU for XLM-R large needs an H100/H200-class GPU: not measured here (no GPU in this task).
Run: `.venv/bin/python bench/bench_train.py`.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stilts.core.tasks import load  # noqa: E402
from stilts.core.batching import length_grouped_batches, padded_fraction  # noqa: E402
from stilts.core.features import encode  # noqa: E402
from stilts.train.loop import LoopConfig, train_loop  # noqa: E402
from stilts.train.mlm import KitModelConfig, kit_encoder  # noqa: E402

RESULTS = Path(__file__).parent / "results"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    from transformers import (AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments,
                              XLMRobertaConfig, XLMRobertaForSequenceClassification)

    tmp = Path(tempfile.mkdtemp(prefix="bench-train-"))
    encoder = kit_encoder(KitModelConfig(), log=lambda m: None)
    tok = AutoTokenizer.from_pretrained(encoder)
    source = {"data_dir": SHARED} if SHARED.is_dir() else {"source": "kit"}
    rows = load("mnli", "train", **source)
    feats = encode(rows, "pair_classification", tok, 256)
    lengths = list(feats["length"])
    grouped = length_grouped_batches(lengths, 32, seed=0, epoch=0)
    padding = {"pairs": len(lengths), "data": "MNLI sample (../shared/data)" if SHARED.is_dir() else "kit MNLI",
               "mean_length": round(sum(lengths) / len(lengths), 1),
               "dynamic_length_grouped": round(padded_fraction(lengths, grouped), 4),
               "dynamic_random_batches": round(padded_fraction(lengths, length_grouped_batches(lengths, 32, 0, 0, False)), 4),
               "pad_to_256": round(padded_fraction(lengths, grouped, pad_to=256), 4),
               "goal": "< 0.10 vs >= 0.40"}

    n = 2048
    sub = feats.select(range(n))
    config = XLMRobertaConfig(vocab_size=len(tok), hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                              intermediate_size=1024, max_position_embeddings=514, num_labels=3,
                              pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    init = XLMRobertaForSequenceClassification(config).state_dict()
    real_tokens = sum(sub["length"])

    def fresh():
        m = XLMRobertaForSequenceClassification(config)
        m.load_state_dict(init)
        return m

    cfg = LoopConfig(lr=1e-4, epochs=1, batch_size=32, grad_accum=1, checkpoint_every=10**9, log_every=10**9)
    t0 = time.perf_counter()
    train_loop(fresh(), sub, lambda m: {"accuracy": 0.0}, cfg, tmp / "ours", tok.pad_token_id, "accuracy",
               log=lambda m: None)
    ours_s = time.perf_counter() - t0
    args = TrainingArguments(output_dir=str(tmp / "hf"), per_device_train_batch_size=32, num_train_epochs=1,
                             learning_rate=1e-4, save_strategy="no", report_to=[], logging_strategy="no",
                             disable_tqdm=True, seed=0, dataloader_num_workers=0)
    trainer = Trainer(model=fresh(), args=args, train_dataset=sub.remove_columns(["length"]),
                      data_collator=DataCollatorWithPadding(tok))
    t0 = time.perf_counter()
    trainer.train()
    hf_s = time.perf_counter() - t0
    throughput = {"examples": n, "real_tokens": int(real_tokens), "model": "XLM-R hidden 256, 4 layers (random init)",
                  "batch_size": 32, "stilts_loop_s": round(ours_s, 2), "hf_trainer_s": round(hf_s, 2),
                  "stilts_tokens_per_s": round(real_tokens / ours_s), "hf_trainer_tokens_per_s": round(real_tokens / hf_s),
                  "speedup": round(hf_s / ours_s, 2),
                  "note": "stilts time includes its per-epoch dev evaluation hook (a no-op here) and checkpoint"}
    result = {"padding": padding, "throughput_cpu": throughput,
              "gpu_mfu": "not measured: no GPU was lent to this task (device status: can_start_another false)"}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "train.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
