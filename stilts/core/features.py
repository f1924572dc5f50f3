"""Tokenisation of each task kind for an encoder: what the model is trained and evaluated on. How each kind is
tokenised is its `TaskKind.encode_batch` (stilts.core.kinds); this module runs it over a dataset, cached by
`datasets`, and adds the lengths that length-grouped batches read."""
from __future__ import annotations

from typing import Any

from datasets import Dataset

from stilts.core.kinds import IGNORE, TABLE, TaskKind

__all__ = ["IGNORE", "encode", "tokenise"]

KEEP = {"id", "text_a", "text_b", "text", "context", "question", "choices", "label", "tokens", "tags", "answers",
        "query", "target"}


def _length(batch: dict) -> dict:
    ids = batch["input_ids"]
    return {"length": [max(len(x) for x in i) if i and isinstance(i[0], list) else len(i) for i in ids]}


def _encode(batch: dict, kind: str, encoding: int, **kwargs: Any) -> dict:
    """A kind's `encode_batch`, named with its `encoding` version: `datasets` keys its cache on these arguments
    (it hashes a method by name, not code), so a bumped version re-tokenises instead of reading old features."""
    return TABLE[kind].encode_batch(batch, **kwargs)


def tokenise(ds: Dataset, kind: TaskKind, tokenizer: Any, max_length: int) -> Dataset:
    """Every row of `ds` as the kind's features, with a `length` column."""
    out = ds.map(_encode, batched=True, remove_columns=ds.column_names,
                 fn_kwargs={"kind": kind.name, "encoding": kind.encoding, "tok": tokenizer, "max_length": max_length,
                            **kind.encode_kwargs(max_length)},
                 desc=f"tokenize {kind.name}")
    return out.map(_length, batched=True, desc="lengths")


def encode(ds: Dataset, kind: str, tokenizer: Any, max_length: int) -> Dataset:
    """Training features (the rows the kind trains on) with a `length` column; cached by `datasets`."""
    k = TABLE.get(kind)
    if k is None or not k.tokenises:
        from stilts.core.errors import StiltsError
        raise StiltsError(f"stilts train has no features for {kind} tasks")
    ds = ds.remove_columns([c for c in ds.column_names if c not in KEEP])
    return tokenise(k.training_rows(ds), k, tokenizer, max_length)
