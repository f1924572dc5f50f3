"""`random`: the control condition. Same budget, chosen uniformly at random (seeded)."""
from __future__ import annotations

import numpy as np


def random_scores(points, rows: list[dict], kind: str, cfg, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random(len(rows))
