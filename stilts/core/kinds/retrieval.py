"""A query and its target(s) in a candidate pool (Tatoeba, BUCC, LAReQA, Mewsli-X). No head: the encoder's
pooled vectors are compared, and training (LAReQA, Mewsli-X) is a dual encoder on (query, target) pairs:
query and target as two sequences of one row, which the multiple-choice collate pads together; the label is a
key of the target text, so in-batch rows with the same target are not negatives."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datasets import Sequence, Value

from stilts.core.kinds.base import TaskKind
from stilts.core.kinds.rows import MISSING
from stilts.core.text import text_key


class Retrieval(TaskKind):
    name = "retrieval"
    fields = ("query", "target", "target_ids")
    nonempty_text = ("query",)
    signature = frozenset({"query"})
    signature_rank = 4
    label_column = "target_ids"
    task_category = "sentence-similarity"
    langid_field = "query"
    document_fields = ("query",)
    perturbed_fields = ("query",)
    dual_encoder = True
    has_pool = True

    def field_features(self, labels: list[str] | None) -> dict:
        return {"query": Value("string"), "target": Value("string"), "target_ids": Sequence(Value("string"))}

    def check_row(self, out: dict, job: dict, where: tuple, state: dict) -> None:
        ids, target = out.get("target_ids"), out.get("target")
        out["target"] = "" if target in (None, MISSING) else target
        if ids in (None, MISSING):  # line-aligned bitext (Tatoeba on the hub): row i translates English row i
            out["target_ids"] = [f"eng-{where[1]}"] if out["target"] else []
        else:
            out["target_ids"] = [str(i) for i in (ids if isinstance(ids, list) else [ids])]

    def has_gold(self, values: list) -> bool:
        return any(values)

    def texts_to_translate(self, row: dict) -> list[str]:
        return [row["query"], *([row["target"]] if row["target"] else [])]

    def apply_translation(self, new: dict, row: dict, t: Callable[[str], str]) -> str | None:
        new.update(query=t(row["query"]), target=t(row["target"]))
        return None

    def texts_to_embed(self, row: dict) -> list[str]:
        return [row["query"]]

    def encode_batch(self, batch: dict, tok: Any, max_length: int) -> dict:
        q = tok(batch["query"], truncation=True, max_length=max_length)
        t = tok(batch["target"], truncation=True, max_length=max_length)
        return {"input_ids": [list(x) for x in zip(q["input_ids"], t["input_ids"])],
                "attention_mask": [list(x) for x in zip(q["attention_mask"], t["attention_mask"])],
                "labels": [text_key(x) for x in batch["target"]]}
