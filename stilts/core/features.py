"""Tokenisation of each task kind for an encoder: what the model is trained and evaluated on.

Pairs and single texts: one sequence (pairs joined by the tokenizer's separator). Multiple choice: one
sequence per choice, `context question` + choice. Span QA: SQuAD-style windows over long contexts (`stride`
tokens of overlap), the answer's token span in each window, or the CLS position when the window misses it.
Tagging: words split into sub-tokens; the first sub-token carries the word's label, the others -100.
Retrieval pairs (dual encoder): query and target as two sequences of one row, which the multiple-choice collate
pads together; the label is a key of the target text, so in-batch rows with the same target are not negatives.
"""
from __future__ import annotations

from typing import Any

from datasets import Dataset

from stilts.core.text import text_key

IGNORE = -100


def _pair(batch: dict, tok: Any, max_length: int) -> dict:
    enc = tok(batch["text_a"], batch["text_b"], truncation=True, max_length=max_length)
    return {**enc, "labels": batch["label"]}


def _single(batch: dict, tok: Any, max_length: int) -> dict:
    enc = tok(batch["text"], truncation=True, max_length=max_length)
    return {**enc, "labels": batch["label"]}


def _choice(batch: dict, tok: Any, max_length: int) -> dict:
    out: dict[str, list] = {"input_ids": [], "attention_mask": [], "labels": []}
    for ctx, q, choices, label in zip(batch["context"], batch["question"], batch["choices"], batch["label"]):
        first = f"{ctx} {q}".strip()
        enc = tok([first] * len(choices), choices, truncation=True, max_length=max_length)
        out["input_ids"].append(enc["input_ids"])
        out["attention_mask"].append(enc["attention_mask"])
        out["labels"].append(label)
    return out


def _tagging(batch: dict, tok: Any, max_length: int) -> dict:
    enc = tok(batch["tokens"], is_split_into_words=True, truncation=True, max_length=max_length)
    labels = []
    for i, tags in enumerate(batch["tags"]):
        prev, row = None, []
        for w in enc.word_ids(i):
            row.append(IGNORE if w is None or w == prev else tags[w])
            prev = w
        labels.append(row)
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels}


def _qa(batch: dict, tok: Any, max_length: int, stride: int = 128) -> dict:
    enc = tok(batch["question"], batch["context"], truncation="only_second", max_length=max_length, stride=stride,
              return_overflowing_tokens=True, return_offsets_mapping=True, padding=False)
    starts, ends, example_ids, offsets = [], [], [], []
    for i, offs in enumerate(enc["offset_mapping"]):
        ex = enc["overflow_to_sample_mapping"][i]
        seq = enc.sequence_ids(i)
        ctx = [k for k, s in enumerate(seq) if s == 1]
        answers = batch["answers"][ex]
        start_tok = end_tok = 0
        if answers["answer_start"]:
            a0 = answers["answer_start"][0]
            a1 = a0 + len(answers["text"][0])
            if ctx and offs[ctx[0]][0] <= a0 and offs[ctx[-1]][1] >= a1:
                start_tok = next(k for k in ctx if offs[k][0] <= a0 < offs[k][1] or offs[k][0] >= a0)
                end_tok = next(k for k in reversed(ctx) if offs[k][0] < a1)
        starts.append(start_tok)
        ends.append(end_tok)
        example_ids.append(batch["id"][ex])
        offsets.append([list(o) if seq[k] == 1 else None for k, o in enumerate(offs)])
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "start_positions": starts,
            "end_positions": ends, "example_id": example_ids, "offset_mapping": offsets}


def _retrieval(batch: dict, tok: Any, max_length: int) -> dict:
    q = tok(batch["query"], truncation=True, max_length=max_length)
    t = tok(batch["target"], truncation=True, max_length=max_length)
    return {"input_ids": [list(x) for x in zip(q["input_ids"], t["input_ids"])],
            "attention_mask": [list(x) for x in zip(q["attention_mask"], t["attention_mask"])],
            "labels": [text_key(x) for x in batch["target"]]}


ENCODERS = {"pair_classification": _pair, "single_classification": _single, "multiple_choice": _choice,
            "tagging": _tagging, "span_qa": _qa, "retrieval": _retrieval}


def _length(batch: dict) -> dict:
    ids = batch["input_ids"]
    return {"length": [max(len(x) for x in i) if i and isinstance(i[0], list) else len(i) for i in ids]}


def encode(ds: Dataset, kind: str, tokenizer: Any, max_length: int) -> Dataset:
    """Tokenised features with a `length` column (for length-grouped batches); cached by `datasets`."""
    if kind not in ENCODERS:
        from stilts.core.errors import StiltsError
        raise StiltsError(f"stilts train has no features for {kind} tasks")
    keep = {"id", "text_a", "text_b", "text", "context", "question", "choices", "label", "tokens", "tags", "answers",
            "query", "target"}
    ds = ds.remove_columns([c for c in ds.column_names if c not in keep])
    if kind in ("pair_classification", "single_classification", "multiple_choice"):
        ds = ds.filter(lambda y: y >= 0, input_columns="label", desc="drop unlabelled rows")
    kwargs = {"tok": tokenizer, "max_length": max_length}
    if kind == "span_qa":  # XTREME's doc stride is 128 at 384 tokens; shorter windows overlap proportionally
        kwargs["stride"] = min(128, max_length // 4)
    out = ds.map(ENCODERS[kind], batched=True, remove_columns=ds.column_names, fn_kwargs=kwargs,
                 desc=f"tokenize {kind}")
    return out.map(_length, batched=True, desc="lengths")
