"""What pair and single classification share: one class per row, a sequence-classification head, and labels
that must be named in the spec."""
from __future__ import annotations

from typing import Any

from datasets import Dataset

from stilts.core.kinds.base import TaskKind
from stilts.core.kinds.rows import label_index, labelled


class Classification(TaskKind):
    needs_labels = True
    classifies = True
    references = True
    task_category = "text-classification"
    head = "AutoModelForSequenceClassification"

    def check_row(self, out: dict, job: dict, where: tuple, state: dict) -> None:
        idx = label_index(out["label"], job["labels"], job.get("label_map") or {}, None, where, "label")
        labelled(state, idx is not None, where, "label")
        out["label"] = -1 if idx is None else idx

    def stratum(self, row: dict) -> int | None:
        return row["label"]

    def head_kwargs(self, num_labels: int | None) -> dict:
        return {"num_labels": num_labels} if num_labels else {}

    def training_rows(self, ds: Dataset) -> Dataset:
        return ds.filter(lambda y: y >= 0, input_columns="label", desc="drop unlabelled rows")

    def encode_batch(self, batch: dict, tok: Any, max_length: int) -> dict:
        enc = tok(*self.classifier_texts_of(batch), truncation=True, max_length=max_length)
        return {**enc, "labels": batch["label"]}

    def classifier_texts(self, rows: list[dict]) -> tuple[list[str], ...]:
        return self.classifier_texts_of({f: [r[f] for r in rows] for f in self.translated_fields})

    def classifier_texts_of(self, batch: dict) -> tuple[list[str], ...]:
        """The text column(s) of a batch, in the order the tokenizer takes them (a pair: two sequences)."""
        return tuple(batch[f] for f in self.translated_fields)
