"""Dynamic padding with length-grouped batches: little compute is spent on padding, and the batch order is a
pure function of (seed, epoch), so a resumed run sees exactly the batches an uninterrupted one would."""
from __future__ import annotations

import numpy as np
import torch

from stilts.core.features import IGNORE


def length_grouped_batches(lengths: list[int], batch_size: int, seed: int, epoch: int, group: bool = True,
                           mega: int = 50) -> list[list[int]]:
    """Shuffle, sort by length inside mega-batches of `mega` batches, cut, then shuffle the batch order."""
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(len(lengths))
    if group:
        chunk = batch_size * mega
        order = np.concatenate([sorted(order[i:i + chunk], key=lambda j: -lengths[j])
                                for i in range(0, len(order), chunk)]) if len(order) else order
    batches = [order[i:i + batch_size].tolist() for i in range(0, len(order), batch_size)]
    if group:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def sorted_index_batches(lengths, batch_size: int) -> list[list[int]]:
    """Positions in length order (stable), cut into batches: the least padding for inference, where the batch
    order does not matter."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[i:i + batch_size].tolist() for i in range(0, len(order), batch_size)]


def collate(rows: list[dict], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad to the longest sequence of this batch (2-D; 3-D for multiple choice)."""
    out: dict[str, torch.Tensor] = {}
    first = rows[0]["input_ids"]
    if first and isinstance(first[0], list):  # multiple choice: (batch, choices, length)
        n_choices = max(len(r["input_ids"]) for r in rows)
        width = max(len(x) for r in rows for x in r["input_ids"])
        ids = torch.full((len(rows), n_choices, width), pad_id)
        mask = torch.zeros((len(rows), n_choices, width), dtype=torch.long)
        for i, r in enumerate(rows):
            for j, x in enumerate(r["input_ids"]):
                ids[i, j, :len(x)] = torch.tensor(x)
                mask[i, j, :len(x)] = 1
        out = {"input_ids": ids, "attention_mask": mask, "labels": torch.tensor([r["labels"] for r in rows])}
        if "prefix_hidden" in rows[0]:
            out["prefix_hidden"] = pad_hidden(rows, width, n_choices)
        if "task" in rows[0]:
            out["task"] = torch.tensor([r["task"] for r in rows])
        return out
    width = max(len(r["input_ids"]) for r in rows)
    ids = torch.full((len(rows), width), pad_id)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r["input_ids"])] = torch.tensor(r["input_ids"])
        mask[i, :len(r["input_ids"])] = 1
    out.update(input_ids=ids, attention_mask=mask)
    if "prefix_hidden" in rows[0]:
        out["prefix_hidden"] = pad_hidden(rows, width)
    if "labels" in rows[0]:
        labels = rows[0]["labels"]
        if isinstance(labels, list):  # token labels
            lab = torch.full((len(rows), width), IGNORE)
            for i, r in enumerate(rows):
                lab[i, :len(r["labels"])] = torch.tensor(r["labels"])
            out["labels"] = lab
        else:
            out["labels"] = torch.tensor([r["labels"] for r in rows])
    if "task" in rows[0]:  # multi-task batches hold one task
        out["task"] = torch.tensor([r["task"] for r in rows])
    for key in ("start_positions", "end_positions"):
        if key in rows[0]:
            out[key] = torch.tensor([r[key] for r in rows])
    return out


def pad_hidden(rows: list[dict], width: int, n_choices: int | None = None) -> torch.Tensor:
    """Stored prefix states (stilts.models.feature_cache) as one float32 tensor padded with zeros: (batch, width,
    hidden), or (batch, choices, width, hidden) for multiple choice. Padding never reaches a real token
    (attention masks it) or a loss (labels and span QA's loss leave it out)."""
    first = rows[0]["prefix_hidden"]
    hidden = (first[0] if n_choices else first).shape[-1]
    shape = (len(rows), n_choices, width, hidden) if n_choices else (len(rows), width, hidden)
    out = np.zeros(shape, dtype=np.float32)
    for i, r in enumerate(rows):
        if n_choices:
            for j, h in enumerate(r["prefix_hidden"]):
                out[i, j, :len(h)] = h
        else:
            out[i, :len(r["prefix_hidden"])] = r["prefix_hidden"]
    return torch.from_numpy(out)


def padded_fraction(lengths: list[int], batches: list[list[int]], pad_to: int | None = None) -> float:
    """Share of token slots that are padding: dynamic (pad_to=None) or to a fixed length."""
    real = sum(lengths[i] for b in batches for i in b)
    total = sum((pad_to or max(lengths[i] for i in b)) * len(b) for b in batches)
    return 1.0 - real / max(total, 1)
