"""Selector registry: `--select NAME --budget N|fraction`. A selector scores every row of one language group
(higher = harder); the select step keeps the `budget` hardest and stores the score as `score_<name>`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stilts.core.errors import unknown


@dataclass(frozen=True)
class SelectConfig:
    name: str = "knn-disagreement"
    budget: float = 0.3          # a fraction (0, 1] of each language's rows, or a count N >= 1 per language
    k: int = 10                  # neighbours (knn-disagreement)
    index: str = "auto"          # auto | flat | ivf | hnsw
    rounds: int = 32             # AFLite: linear probes per filtering iteration
    train_fraction: float = 0.5  # AFLite: share of the points each probe trains on
    threshold: float = 0.75      # AFLite: predictability above which examples are filtered
    slice: int = 0               # AFLite: examples removed per iteration (0: 5% of the group)
    model_id: str | None = None  # model-margin: a stilts run dir or any HF sequence classifier
    batch_size: int = 32
    options: dict[str, Any] = field(default_factory=dict)


Scorer = Callable[..., np.ndarray]  # (points, rows, kind, cfg, seed) -> one score per row


def _registry() -> dict[str, Scorer]:
    from advmine.selectors.aflite import aflite_scores
    from advmine.selectors.knn_disagreement import knn_disagreement_scores
    from advmine.selectors.model_margin import model_margin_scores
    from advmine.selectors.random_control import random_scores

    return {"knn-disagreement": knn_disagreement_scores, "aflite": aflite_scores,
            "model-margin": model_margin_scores, "random": random_scores}


NEEDS_POINTS = {"knn-disagreement", "aflite"}


def get_selector(name: str) -> Scorer:
    reg = _registry()
    if name not in reg:
        raise unknown("selector", name, sorted(reg))
    return reg[name]


def budget_count(budget: float, n: int) -> int:
    from stilts.core.errors import StiltsError

    if budget <= 0:
        raise StiltsError(f"--budget {budget}: use a fraction in (0, 1] or a row count >= 1")
    if budget > 1 and budget != int(budget):
        raise StiltsError(f"--budget {budget}: a count must be a whole number (or use a fraction in (0, 1])")
    return min(n, int(round(budget * n)) if budget <= 1 else int(budget))
