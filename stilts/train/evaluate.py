"""Scoring a model on a (tokenised) English dev set during training, for model selection.

Only English dev data ever reaches this module from `stilts train` (zero-shot: no target-language data is
used to choose a checkpoint)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from stilts.eval.metrics import get_metric
from stilts.train.batching import collate
from stilts.train.features import IGNORE


def _batches(feats: Any, pad_id: int, batch_size: int):
    order = np.argsort(feats["length"])
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size].tolist()
        rows = feats.select(idx).to_list()
        yield idx, rows, collate(rows, pad_id)


def best_span(start: np.ndarray, end: np.ndarray, offsets: list, max_len: int = 30) -> tuple[float, int, int]:
    best = (-1e9, 0, 0)
    start, end = start[:len(offsets)], end[:len(offsets)]  # logits cover the padded batch width
    cand_s = [i for i in np.argsort(-start)[:20] if offsets[i] is not None]
    cand_e = [i for i in np.argsort(-end)[:20] if offsets[i] is not None]
    for s in cand_s:
        for e in cand_e:
            if s <= e < s + max_len and start[s] + end[e] > best[0]:
                best = (float(start[s] + end[e]), offsets[s][0], offsets[e][1])
    return best


def make_evaluator(kind: str, dev_raw: Any, dev_feats: Any, pad_id: int, metric: str,
                   tag_names: list[str] | None = None, batch_size: int = 32) -> Callable[[Any], dict]:
    fn = get_metric(metric).main if kind != "mlm" else None

    @torch.inference_mode()
    def evaluate(model: Any) -> dict:
        model.eval()
        device = next(model.parameters()).device
        if kind == "mlm":
            losses = [model(**{k: v.to(device) for k, v in b.items()}).loss.item()
                      for _, _, b in _batches(dev_feats, pad_id, batch_size)]
            model.train()
            return {"mlm_loss": float(np.mean(losses))}
        preds: dict[int, Any] = {}
        spans: dict[str, tuple] = {}
        for idx, rows, batch in _batches(dev_feats, pad_id, batch_size):
            inputs = {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
            out = model(**inputs)
            if kind == "span_qa":
                for r, s, e in zip(rows, out.start_logits.float().cpu().numpy(), out.end_logits.float().cpu().numpy()):
                    cand = best_span(s, e, r["offset_mapping"])
                    if r["example_id"] not in spans or cand[0] > spans[r["example_id"]][0]:
                        spans[r["example_id"]] = cand
                continue
            logits = out.logits.float().cpu()
            if kind == "tagging":
                for i, row, lg in zip(idx, rows, logits):
                    p = lg.argmax(-1).tolist()
                    preds[i] = [(tag_names[p[k]], tag_names[lab]) for k, lab in enumerate(row["labels"]) if lab != IGNORE]
            else:
                for i, p in zip(idx, logits.argmax(-1).tolist()):
                    preds[i] = p
        model.train()
        if kind == "span_qa":
            contexts = dict(zip(dev_raw["id"], dev_raw["context"]))
            golds = dict(zip(dev_raw["id"], [a["text"] for a in dev_raw["answers"]]))
            ids = [i for i in golds if golds[i]]
            texts = [contexts[i][spans[i][1]:spans[i][2]].strip() if i in spans else "" for i in ids]
            return {metric: fn(texts, [golds[i] for i in ids])}
        order = sorted(preds)
        if kind == "tagging":
            return {metric: fn([[p for p, _ in preds[i]] for i in order], [[g for _, g in preds[i]] for i in order])}
        labels = list(dev_feats["labels"])
        return {metric: fn([preds[i] for i in order], [labels[i] for i in order])}

    return evaluate
