"""Scoring a model on a (tokenised) English dev set during training, for model selection.

Only English dev data ever reaches this module from `stilts train` (zero-shot: no target-language data is
used to choose a checkpoint)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from stilts.eval.metrics import get_metric
from stilts.eval.predict import predict_features, sorted_batches
from stilts.train.features import IGNORE


def make_evaluator(kind: str, dev_raw: Any, dev_feats: Any, pad_id: int, metric: str,
                   tag_names: list[str] | None = None, batch_size: int = 32) -> Callable[[Any], dict]:
    fn = get_metric(metric).main if kind != "mlm" else None

    @torch.inference_mode()
    def evaluate(model: Any) -> dict:
        model.eval()
        device = next(model.parameters()).device
        if kind == "mlm":
            losses = [model(**{k: v.to(device) for k, v in b.items()}).loss.item()
                      for _, _, b in sorted_batches(dev_feats, pad_id, batch_size)]
            model.train()
            return {"mlm_loss": float(np.mean(losses))}
        preds = predict_features(model, dev_feats, kind, pad_id, batch_size)
        model.train()
        if kind == "span_qa":
            contexts = dict(zip(dev_raw["id"], dev_raw["context"]))
            golds = dict(zip(dev_raw["id"], [a["text"] for a in dev_raw["answers"]]))
            ids = [i for i in golds if golds[i]]
            texts = [contexts[i][preds[i][1]:preds[i][2]].strip() if i in preds else "" for i in ids]
            return {metric: fn(texts, [golds[i] for i in ids])}
        order = sorted(preds)
        labels = list(dev_feats["labels"])
        if kind == "tagging":
            golds = [[tag_names[lab] for lab in labels[i] if lab != IGNORE] for i in order]
            return {metric: fn([[tag_names[t] for t in preds[i]] for i in order], golds)}
        return {metric: fn([preds[i] for i in order], [labels[i] for i in order])}

    return evaluate
