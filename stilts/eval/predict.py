"""Batched, length-sorted inference for every task kind with a head; one prediction per example, in order.
bf16 autocast on GPU. Predictions are what the metrics compare: a class index, a choice index, one tag index
per word (the first sub-token's), or an answer string taken from the context by character offsets (so
scripts without spaces and right-to-left scripts need no special casing)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from datasets import Dataset

from stilts.train.batching import collate
from stilts.train.evaluate import best_span
from stilts.train.features import ENCODERS, IGNORE, _length


def features_for_eval(ds: Dataset, kind: str, tok: Any, max_length: int) -> Dataset:
    """Like training features, but unlabelled rows stay (they still get predictions)."""
    kwargs = {"tok": tok, "max_length": max_length}
    if kind == "span_qa":
        kwargs["stride"] = min(128, max_length // 4)
    feats = ds.map(ENCODERS[kind], batched=True, remove_columns=ds.column_names, fn_kwargs=kwargs,
                   desc=f"tokenize {kind}")
    if kind != "span_qa":
        feats = feats.add_column("row", list(range(len(ds))))
    return feats.map(_length, batched=True, desc="lengths")


@torch.inference_mode()
def predict(model: Any, tok: Any, ds: Dataset, kind: str, max_length: int, batch_size: int = 32) -> list:
    model.eval()
    device = next(model.parameters()).device
    feats = features_for_eval(ds, kind, tok, max_length)
    order = np.argsort(feats["length"])
    preds: dict[Any, Any] = {}
    use_bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
    for start in range(0, len(order), batch_size):
        rows = feats.select(order[start:start + batch_size].tolist()).to_list()
        batch = collate(rows, tok.pad_token_id)
        inputs = {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
            out = model(**inputs)
        if kind == "span_qa":
            for r, s, e in zip(rows, out.start_logits.float().cpu().numpy(), out.end_logits.float().cpu().numpy()):
                cand = best_span(s, e, r["offset_mapping"])
                if r["example_id"] not in preds or cand[0] > preds[r["example_id"]][0]:
                    preds[r["example_id"]] = cand
            continue
        logits = out.logits.float().cpu()
        for r, lg in zip(rows, logits):
            if kind == "tagging":
                p = lg.argmax(-1).tolist()
                preds[r["row"]] = [p[k] for k, lab in enumerate(r["labels"]) if lab != IGNORE]
            else:
                preds[r["row"]] = int(lg.argmax(-1))
    if kind == "span_qa":
        return [ctx[preds[i][1]:preds[i][2]].strip() if i in preds else "" for i, ctx in zip(ds["id"], ds["context"])]
    return [preds[i] for i in range(len(ds))]
