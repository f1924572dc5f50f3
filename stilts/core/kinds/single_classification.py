"""One text and a class (sentiment, topic)."""
from __future__ import annotations

import numpy as np
from datasets import ClassLabel, Value

from stilts.core.kinds.base import Point
from stilts.core.kinds.classification import Classification


class SingleClassification(Classification):
    name = "single_classification"
    fields = ("text", "label")
    nonempty_text = ("text",)
    signature = frozenset({"text"})
    signature_rank = 5   # the most generic mapping: tried last
    langid_field = "text"
    document_fields = ("text",)
    translated_fields = ("text",)
    perturbed_fields = ("text",)

    def field_features(self, labels: list[str] | None) -> dict:
        return {"text": Value("string"), "label": ClassLabel(names=labels)}

    def texts_to_embed(self, row: dict) -> list[str]:
        return [row["text"]]

    def selection_points(self, row: dict, vec: dict[str, np.ndarray]) -> list[Point]:
        return [(vec[row["text"]], row["label"], True)]

    def reference_features(self, row: dict, vec: dict[str, np.ndarray]) -> np.ndarray:
        return np.asarray(vec[row["text"]])
