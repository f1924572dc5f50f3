"""Scoring a model on a (tokenised) English dev set during training, for model selection.

Only English dev data ever reaches this module from `stilts train` (zero-shot: no target-language data is
used to choose a checkpoint)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from stilts.eval.metrics import get_metric
from stilts.core.predict import predict_features, sorted_batches
from stilts.core.batching import collate, sorted_index_batches
from stilts.core.kinds import get_kind


def make_evaluator(kind: str, dev_raw: Any, dev_feats: Any, pad_id: int, metric: str,
                   tag_names: list[str] | None = None, batch_size: int = 32) -> Callable[[Any], dict]:
    """Dev scoring by the task's metric over the kind's (predictions, golds), or by the mean loss (MLM)."""
    k = get_kind(kind)
    m = get_metric(metric) if not k.scored_by_loss else None

    @torch.inference_mode()
    def evaluate(model: Any) -> dict:
        model.eval()
        device = next(model.parameters()).device
        if k.scored_by_loss:
            losses = [model(**{n: v.to(device) for n, v in b.items()}).loss.item()
                      for _, _, b in sorted_batches(dev_feats, pad_id, batch_size)]
            model.train()
            return {metric: float(np.mean(losses))}
        preds = predict_features(model, dev_feats, kind, pad_id, batch_size)
        model.train()
        inputs = k.dev_inputs(preds, dev_raw, dev_feats, tag_names)
        if m.per_example is not None:
            evaluate.last_stats = np.asarray(m.per_example(*inputs), dtype=np.float64)
        return {metric: m.main(*inputs)}

    # Per-example statistics of the latest call (n x c, the metric's own bootstrap statistics), so that the
    # training loop can test whether a new dev score is above the best earlier one by more than the dev set's noise.
    evaluate.last_stats = None
    return evaluate


def make_retrieval_evaluator(dev_feats: Any, pad_id: int, metric: str, batch_size: int = 64) -> Callable[[Any], dict]:
    """Model selection for a dual encoder (`stilts.models.dual_encoder.DualEncoder`) on held-out English pairs: every query
    searches the pool of the held-out targets (each distinct text once) and is scored by the task's own metric
    (mAP@20 for LAReQA and Mewsli-X; one gold each, so it is MRR@20), with top-1 accuracy beside it."""
    fn = get_metric(metric).main
    keys = [str(k) for k in dev_feats["labels"]]
    ids = dev_feats["input_ids"]
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    queries, targets, pool = [x[0] for x in ids], [ids[i][1] for i in first.values()], list(first)

    @torch.inference_mode()
    def evaluate(model: Any) -> dict:
        model.eval()
        q, t = _embed(model, queries, pad_id, batch_size), _embed(model, targets, pad_id, batch_size)
        model.train()
        ranked = (q @ t.T).topk(min(20, len(pool)), dim=1).indices.tolist()
        preds, golds = [[pool[j] for j in row] for row in ranked], [[k] for k in keys]
        return {metric: fn(preds, golds), "top1": 100.0 * float(np.mean([p[0] == g[0] for p, g in zip(preds, golds)]))}

    return evaluate


def _embed(model: Any, seqs: list[list[int]], pad_id: int, batch_size: int) -> torch.Tensor:
    """The model's vectors of token-id sequences, in length-sorted batches (autocast: stilts.core.precision)."""
    from stilts.core.precision import inference_autocast

    device = next(model.parameters()).device
    out = [None] * len(seqs)
    for idx in sorted_index_batches([len(s) for s in seqs], batch_size):
        batch = collate([{"input_ids": seqs[i]} for i in idx], pad_id)
        with inference_autocast(device):
            vec = model.embed(batch["input_ids"].to(device), batch["attention_mask"].to(device))
        for i, v in zip(idx, vec.float().cpu()):
            out[i] = v
    return torch.stack(out)
