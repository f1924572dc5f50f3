"""Label-stratified budgets: each class gets its share of the budget in the candidate rows' own proportions, so a
selector whose scores favour one class cannot return a one-class subset (the hardest rows are taken per class)."""
from __future__ import annotations

import numpy as np


def quotas(strata: np.ndarray, n_keep: int) -> dict:
    """Rows to keep per stratum: n_keep split in the strata's proportions by largest remainder (ties: the
    stratum that sorts first), never more than a stratum holds."""
    values, counts = np.unique(strata, return_counts=True)
    n = counts.sum()
    exact = n_keep * counts / max(n, 1)
    base = np.minimum(np.floor(exact).astype(int), counts)
    left = n_keep - int(base.sum())
    for j in sorted(range(len(values)), key=lambda j: (-(exact[j] - base[j]), j)):
        if left <= 0:
            break
        if base[j] < counts[j]:
            base[j] += 1
            left -= 1
    return {v.item() if hasattr(v, "item") else v: int(b) for v, b in zip(values, base)}


def stratified_take(order: np.ndarray, strata: np.ndarray | None, n_keep: int) -> np.ndarray:
    """The first `n_keep` of `order` (positions, hardest first), or with `strata` the hardest rows of each
    stratum up to its quota. Returns positions in `order`'s ranking."""
    if strata is None:
        return order[:n_keep]
    want = quotas(strata, n_keep)
    taken: dict = {v: 0 for v in want}
    out = []
    for i in order:
        s = strata[i].item() if hasattr(strata[i], "item") else strata[i]
        if taken[s] < want[s]:
            taken[s] += 1
            out.append(i)
    return np.array(out, dtype=int)
