"""What a selector sees: points (vectors) with labels, grouped by the row they belong to. Each kind's
`selection_points` (stilts.core.kinds) says which:

* classification: one point per row, its class;
* multiple choice: one point per choice, `[context+question ; choice]`, labelled 1 for the gold choice and 0
  for a distractor: an example is hard when its gold point lives among distractor points;
* span QA: `[question ; sentence]` points, 1 for the sentence holding the answer, 0 for (up to three) other
  sentences of the context;
* retrieval and tagging have no per-row label here (selectors that need one say so).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stilts.core.kinds import get_kind


@dataclass
class Points:
    vectors: np.ndarray      # (n_points, d), L2-normalised
    labels: np.ndarray       # (n_points,)
    row: np.ndarray          # (n_points,) index of the row each point belongs to
    primary: np.ndarray      # (n_points,) bool: the row's own (gold) point


def _norm(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def build_points(rows: list[dict], kind: str, vec: dict[str, np.ndarray]) -> Points:
    """Every row's selection points (its kind says which), normalised, each owned by its row."""
    k = get_kind(kind)
    vectors, labels, owner, primary = [], [], [], []
    for i, r in enumerate(rows):
        for v, label, is_primary in k.selection_points(r, vec):
            vectors.append(_norm(v))
            labels.append(label)
            owner.append(i)
            primary.append(is_primary)
    return Points(np.stack(vectors).astype(np.float32), np.array(labels), np.array(owner), np.array(primary))
