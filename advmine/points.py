"""What a selector sees: points (vectors) with labels, grouped by the row they belong to.

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

from stilts.core.errors import StiltsError
from stilts.core.text import sentences


@dataclass
class Points:
    vectors: np.ndarray      # (n_points, d), L2-normalised
    labels: np.ndarray       # (n_points,)
    row: np.ndarray          # (n_points,) index of the row each point belongs to
    primary: np.ndarray      # (n_points,) bool: the row's own (gold) point


def _norm(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def row_texts(row: dict, kind: str) -> list[str]:
    """Every text the embedder must see for this row."""
    if kind == "pair_classification":
        return [row["text_a"], row["text_b"]]
    if kind == "single_classification":
        return [row["text"]]
    if kind == "multiple_choice":
        return [f"{row['context']} {row['question']}".strip(), *row["choices"]]
    if kind == "span_qa":
        return [row["question"], *[s for _, s in sentences(row["context"])]]
    if kind == "retrieval":
        return [row["query"]]
    return [" ".join(row["tokens"])]


def build_points(rows: list[dict], kind: str, vec: dict[str, np.ndarray]) -> Points:
    vectors, labels, owner, primary = [], [], [], []

    def add(v: np.ndarray, label: int, i: int, is_primary: bool) -> None:
        vectors.append(_norm(v))
        labels.append(label)
        owner.append(i)
        primary.append(is_primary)

    for i, r in enumerate(rows):
        if kind == "pair_classification":
            add(np.concatenate([vec[r["text_a"]], vec[r["text_b"]]]), r["label"], i, True)
        elif kind == "single_classification":
            add(vec[r["text"]], r["label"], i, True)
        elif kind == "multiple_choice":
            q = vec[f"{r['context']} {r['question']}".strip()]
            for j, c in enumerate(r["choices"]):
                add(np.concatenate([q, vec[c]]), int(j == r["label"]), i, j == r["label"])
        elif kind == "span_qa":
            q = vec[r["question"]]
            start = r["answers"]["answer_start"][0] if r["answers"]["answer_start"] else -1
            sents = sentences(r["context"])
            gold = max((k for k, (s, _) in enumerate(sents) if s <= start), default=0)
            add(np.concatenate([q, vec[sents[gold][1]]]), 1, i, True)
            others = [s for k, (_, s) in enumerate(sents) if k != gold][:3]
            for s in others:
                add(np.concatenate([q, vec[s]]), 0, i, False)
        else:
            raise StiltsError(f"hard-example selection needs a label per row; a {kind} task has none here "
                              "(use --select random)")
    return Points(np.stack(vectors).astype(np.float32), np.array(labels), np.array(owner), np.array(primary))
