"""Two texts and a class (NLI, paraphrase): the pair is one sequence, joined by the tokenizer's separator."""
from __future__ import annotations

import numpy as np
from datasets import ClassLabel, Value

from stilts.core.kinds.base import Point
from stilts.core.kinds.classification import Classification


class PairClassification(Classification):
    name = "pair_classification"
    fields = ("text_a", "text_b", "label")
    nonempty_text = ("text_a", "text_b")
    signature = frozenset({"text_a", "text_b"})
    signature_rank = 0
    langid_field = "text_a"
    document_fields = ("text_a", "text_b")
    translated_fields = ("text_a", "text_b")
    perturbed_fields = ("text_a", "text_b")

    def field_features(self, labels: list[str] | None) -> dict:
        return {"text_a": Value("string"), "text_b": Value("string"), "label": ClassLabel(names=labels)}

    def perturb_fields(self, side: str) -> list[str]:
        """`side` a, b or both."""
        return {"a": ["text_a"], "b": ["text_b"]}.get(side, ["text_a", "text_b"])

    def texts_to_embed(self, row: dict) -> list[str]:
        return [row["text_a"], row["text_b"]]

    def selection_points(self, row: dict, vec: dict[str, np.ndarray]) -> list[Point]:
        return [(np.concatenate([vec[row["text_a"]], vec[row["text_b"]]]), row["label"], True)]

    def reference_features(self, row: dict, vec: dict[str, np.ndarray]) -> np.ndarray:
        """[u, v, |u-v|, u*v] of the two texts' vectors: an NLI label is a relation between them."""
        u, v = vec[row["text_a"]], vec[row["text_b"]]
        return np.concatenate([u, v, np.abs(u - v), u * v])
