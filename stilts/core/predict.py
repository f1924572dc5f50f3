"""Batched, length-sorted inference for every task kind with a head; one prediction per example, in order,
autocast as stilts.core.precision says (bf16 on GPU by default). Predictions are what the metrics compare: a
class index, a choice index, one tag index per word (its head sub-token's, stilts.core.kinds.tagging.word_heads),
or an answer string taken from the context by character offsets; how a kind's model outputs become predictions
is its `TaskKind.decode` and `predictions` (stilts.core.kinds)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from datasets import Dataset

from stilts.core.batching import collate, sorted_index_batches
from stilts.core.features import tokenise
from stilts.core.kinds import get_kind
from stilts.core.precision import inference_autocast


def features_for_eval(ds: Dataset, kind: str, tok: Any, max_length: int) -> Dataset:
    """Like training features, but unlabelled rows stay (they still get predictions)."""
    return tokenise(ds, get_kind(kind), tok, max_length)


def sorted_batches(feats: Dataset, pad_id: int, batch_size: int):
    """(feature positions, rows, padded tensors) in length order: the least padding for inference."""
    for idx in sorted_index_batches(feats["length"], batch_size):
        rows = feats.select(idx).to_list()
        yield idx, rows, collate(rows, pad_id)


@torch.inference_mode()
def predict_features(model: Any, feats: Dataset, kind: str, pad_id: int, batch_size: int = 32) -> dict:
    """The one inference loop (zero-shot eval and English dev scoring in training): length-sorted batches,
    autocast by stilts.core.precision. Keys: feature position (one feature per example), or, for QA, the example
    id with the best span over its windows. Values: class/choice index, word-level tag indices, or (score, start, end)."""
    decoder = get_kind(kind)
    model.eval()
    device = next(model.parameters()).device
    preds: dict[Any, Any] = {}
    for idx, rows, batch in sorted_batches(feats, pad_id, batch_size):
        inputs = {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask", "prefix_hidden")}
        with inference_autocast(device):
            out = model(**inputs)
        decoder.decode(idx, rows, out, preds)
    return preds


def predict(model: Any, tok: Any, ds: Dataset, kind: str, max_length: int, batch_size: int = 32,
            with_prefix: Callable[[Any], Any] | None = None) -> list:
    """One prediction per row of `ds` (tagging: long rows predicted in word windows, joined back).
    `with_prefix(features)` adds stored prefix states (the feature cache) for a model that reads them."""
    k = get_kind(kind)
    inputs, owners = k.prediction_inputs(ds, tok, max_length)
    feats = features_for_eval(inputs, kind, tok, max_length)
    preds = predict_features(model, with_prefix(feats) if with_prefix else feats, kind, tok.pad_token_id, batch_size)
    return k.predictions(preds, ds, owners)
