"""A context, a question and choices, one of them gold (COPA, SIQA, XCOPA). Context or question may be empty
(CSQA, HellaSwag), so they are checked together with the choices. One sequence per choice:
`context question` + choice."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from datasets import Dataset, Sequence, Value

from stilts.core.errors import DataError
from stilts.core.kinds.base import KEEP_AS_IS, Point, TaskKind
from stilts.core.kinds.rows import label_index, labelled


def _first(row: dict) -> str:
    return f"{row['context']} {row['question']}".strip()


class MultipleChoice(TaskKind):
    name = "multiple_choice"
    fields = ("context", "question", "choices", "label")
    signature = frozenset({"choices"})
    signature_rank = 2
    task_category = "multiple-choice"
    langid_field = "context"
    document_fields = ("context", "question", "choices")
    perturbed_fields = ("context", "question")
    head = "AutoModelForMultipleChoice"
    head_per_label = False   # one score per choice, whatever the spec's label names
    several_points = True

    def field_features(self, labels: list[str] | None) -> dict:
        return {"context": Value("string"), "question": Value("string"), "choices": Sequence(Value("string")),
                "label": Value("int32")}

    def check_row(self, out: dict, job: dict, where: tuple, state: dict) -> None:
        choices = out["choices"]
        if not isinstance(choices, list) or len(choices) < 2:
            raise DataError(*where, "choices", "needs a list of at least two choices")
        for i, c in enumerate(choices):
            if not isinstance(c, str) or not c.strip():
                raise DataError(*where, "choices", f"choice {i} is empty")
        for f in ("context", "question"):
            if not isinstance(out.get(f) or "", str):
                raise DataError(*where, f, f"expected text, got {type(out[f]).__name__}")
            out[f] = out.get(f) or ""
        if not (out["context"].strip() or out["question"].strip()):
            raise DataError(*where, "context", "empty text (and no question either)")
        idx = label_index(out["label"], None, job.get("label_map") or {}, len(choices), where, "label")
        labelled(state, idx is not None, where, "label")
        out["label"] = -1 if idx is None else idx

    def texts_to_translate(self, row: dict) -> list[str]:
        """Context, question and every choice (COPA's `cause`/`effect` question is a keyword and stays)."""
        return [row["context"], *([row["question"]] if row["question"] not in KEEP_AS_IS else []), *row["choices"]]

    def apply_translation(self, new: dict, row: dict, t: Callable[[str], str]) -> str | None:
        new.update(context=t(row["context"]), question=t(row["question"]), choices=[t(c) for c in row["choices"]])
        return None

    def texts_to_embed(self, row: dict) -> list[str]:
        return [_first(row), *row["choices"]]

    def selection_points(self, row: dict, vec: dict[str, np.ndarray]) -> list[Point]:
        """One point per choice, `[context+question ; choice]`, 1 for the gold choice and 0 for a distractor."""
        q = vec[_first(row)]
        return [(np.concatenate([q, vec[c]]), int(j == row["label"]), j == row["label"])
                for j, c in enumerate(row["choices"])]

    def stratum(self, row: dict) -> int | None:
        """The gold choice's index: a budget keeps the source's mix of answer positions."""
        return row["label"]

    def training_rows(self, ds: Dataset) -> Dataset:
        return ds.filter(lambda y: y >= 0, input_columns="label", desc="drop unlabelled rows")

    def encode_batch(self, batch: dict, tok: Any, max_length: int) -> dict:
        out: dict[str, list] = {"input_ids": [], "attention_mask": [], "labels": []}
        for ctx, q, choices, label in zip(batch["context"], batch["question"], batch["choices"], batch["label"]):
            first = f"{ctx} {q}".strip()
            enc = tok([first] * len(choices), choices, truncation=True, max_length=max_length)
            out["input_ids"].append(enc["input_ids"])
            out["attention_mask"].append(enc["attention_mask"])
            out["labels"].append(label)
        return out
