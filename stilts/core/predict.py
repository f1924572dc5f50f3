"""Batched, length-sorted inference for every task kind with a head; one prediction per example, in order.
bf16 autocast on GPU. Predictions are what the metrics compare: a class index, a choice index, one tag index
per word (the first sub-token's), or an answer string taken from the context by character offsets (so
scripts without spaces and right-to-left scripts need no special casing)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from datasets import Dataset, Features

from stilts.core.batching import collate
from stilts.core.features import ENCODERS, IGNORE, _length


def features_for_eval(ds: Dataset, kind: str, tok: Any, max_length: int) -> Dataset:
    """Like training features, but unlabelled rows stay (they still get predictions)."""
    kwargs = {"tok": tok, "max_length": max_length}
    if kind == "span_qa":
        kwargs["stride"] = min(128, max_length // 4)
    feats = ds.map(ENCODERS[kind], batched=True, remove_columns=ds.column_names, fn_kwargs=kwargs,
                   desc=f"tokenize {kind}")
    return feats.map(_length, batched=True, desc="lengths")


def best_span(start: np.ndarray, end: np.ndarray, offsets: list, max_len: int = 30) -> tuple[float, int, int]:
    """(score, char start, char end) of the best answer span within the unpadded window of one feature."""
    best = (-1e9, 0, 0)
    start, end = start[:len(offsets)], end[:len(offsets)]  # logits cover the padded batch width
    cand_s = [i for i in np.argsort(-start)[:20] if offsets[i] is not None]
    cand_e = [i for i in np.argsort(-end)[:20] if offsets[i] is not None]
    for s in cand_s:
        for e in cand_e:
            if s <= e < s + max_len and start[s] + end[e] > best[0]:
                best = (float(start[s] + end[e]), offsets[s][0], offsets[e][1])
    return best


def sorted_batches(feats: Dataset, pad_id: int, batch_size: int):
    """(feature positions, rows, padded tensors) in length order: the least padding for inference."""
    order = np.argsort(feats["length"])
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size].tolist()
        rows = feats.select(idx).to_list()
        yield idx, rows, collate(rows, pad_id)


@torch.inference_mode()
def predict_features(model: Any, feats: Dataset, kind: str, pad_id: int, batch_size: int = 32) -> dict:
    """The one inference loop (zero-shot eval and English dev scoring in training): length-sorted batches, bf16
    autocast on GPU. Keys: feature position (one feature per example), or, for QA, the example id with the best
    span over its windows. Values: class/choice index, word-level tag indices, or (score, start, end)."""
    model.eval()
    device = next(model.parameters()).device
    preds: dict[Any, Any] = {}
    use_bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
    for idx, rows, batch in sorted_batches(feats, pad_id, batch_size):
        inputs = {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
            out = model(**inputs)
        if kind == "span_qa":
            for r, s, e in zip(rows, out.start_logits.float().cpu().numpy(), out.end_logits.float().cpu().numpy()):
                cand = best_span(s, e, r["offset_mapping"])
                if r["example_id"] not in preds or cand[0] > preds[r["example_id"]][0]:
                    preds[r["example_id"]] = cand
            continue
        for i, r, lg in zip(idx, rows, out.logits.float().cpu()):
            if kind == "tagging":
                p = lg.argmax(-1).tolist()
                preds[i] = [p[k] for k, lab in enumerate(r["labels"]) if lab != IGNORE]
            else:
                preds[i] = int(lg.argmax(-1))
    return preds


def word_windows(words: list[str], tok: Any, max_length: int) -> list[tuple[int, int]]:
    """Consecutive word ranges whose sub-tokens fit in one sequence (with the special tokens), so that a long
    tagging input is predicted window by window and every word gets a tag."""
    budget = max(1, max_length - tok.num_special_tokens_to_add())
    sizes = [max(1, len(ids)) for ids in tok(words, add_special_tokens=False)["input_ids"]] if words else []
    windows, start, used = [], 0, 0
    for i, n in enumerate(sizes):
        if used + n > budget and i > start:
            windows.append((start, i))
            start, used = i, 0
        used += n
    windows.append((start, len(words)))
    return windows


def predict_tagging(model: Any, tok: Any, ds: Dataset, max_length: int, batch_size: int = 32) -> list[list[int]]:
    """Word-level tag indices for every word of every row: rows longer than `max_length` sub-tokens are cut into
    word windows, predicted separately and joined back in order."""
    owners, pieces = [], {"tokens": [], "tags": []}
    for row, (words, tags) in enumerate(zip(ds["tokens"], ds["tags"])):
        for a, b in word_windows(list(words), tok, max_length):
            owners.append(row)
            pieces["tokens"].append(list(words[a:b]))
            pieces["tags"].append([t if t is not None else -1 for t in tags[a:b]] if tags else [-1] * (b - a))
    windows = Dataset.from_dict(pieces, features=Features({k: ds.features[k] for k in pieces}))
    preds = predict_features(model, features_for_eval(windows, "tagging", tok, max_length), "tagging",
                             tok.pad_token_id, batch_size)
    out: list[list[int]] = [[] for _ in range(len(ds))]
    for i, row in enumerate(owners):
        out[row] += preds[i]
    return out


def predict(model: Any, tok: Any, ds: Dataset, kind: str, max_length: int, batch_size: int = 32) -> list:
    if kind == "tagging":
        return predict_tagging(model, tok, ds, max_length, batch_size)
    preds = predict_features(model, features_for_eval(ds, kind, tok, max_length), kind, tok.pad_token_id, batch_size)
    if kind == "span_qa":
        return [ctx[preds[i][1]:preds[i][2]].strip() if i in preds else "" for i, ctx in zip(ds["id"], ds["context"])]
    return [preds[i] for i in range(len(ds))]
