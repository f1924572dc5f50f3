"""`aflite`: AFLite adversarial filtering (Le Bras et al. 2020; Sakaguchi et al. 2020).

Each iteration trains `rounds` logistic-regression probes on random `train_fraction` splits of the
remaining points and records how often each held-out point is predicted right. Examples whose
predictability is at least `threshold` are filtered, at most `slice` per iteration (the most predictable
first), until the budget remains or nothing is that predictable. Rows still present at the end rank above
every filtered one (later-filtered above earlier-filtered); within each group, by 1 - their mean
predictability over the iterations they took part in (the late iterations, trained on an already filtered
remainder, are less informative than the early ones, and a mean keeps both).
"""
from __future__ import annotations

import warnings

import numpy as np

from advmine.selectors import budget_count


def aflite_scores(points, rows: list[dict], kind: str, cfg, seed: int) -> np.ndarray:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    n_rows = len(rows)
    target = budget_count(cfg.budget, n_rows)
    step = cfg.slice or max(1, n_rows // 20)
    alive = np.ones(n_rows, dtype=bool)
    pred_sum, pred_n = np.zeros(n_rows), np.zeros(n_rows)
    removed_at = np.full(n_rows, -1)
    iteration = 0
    while alive.sum() > target:
        idx = np.flatnonzero(alive[points.row])
        X, y, owner = points.vectors[idx], points.labels[idx], points.row[idx]
        if len(np.unique(y)) < 2:
            break
        correct, seen = np.zeros(len(idx)), np.zeros(len(idx))
        for _ in range(cfg.rounds):
            train = rng.random(len(idx)) < cfg.train_fraction
            if len(np.unique(y[train])) < 2 or train.all():
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                probe = LogisticRegression(max_iter=200).fit(X[train], y[train])
            test = ~train
            correct[test] += probe.predict(X[test]) == y[test]
            seen[test] += 1
        point_pred = np.divide(correct, seen, out=np.zeros_like(correct), where=seen > 0)
        row_pred = np.bincount(owner, weights=point_pred, minlength=n_rows)
        counts = np.bincount(owner, minlength=n_rows)
        row_pred = np.divide(row_pred, counts, out=np.zeros(n_rows), where=counts > 0)
        pred_sum[alive] += row_pred[alive]
        pred_n[alive] += 1
        candidates = np.flatnonzero(alive & (row_pred >= cfg.threshold))
        if len(candidates) == 0:
            break
        order = candidates[np.argsort(-row_pred[candidates], kind="stable")]
        drop = order[:min(step, int(alive.sum()) - target)]
        alive[drop] = False
        removed_at[drop] = iteration
        iteration += 1
    hardness = 1.0 - np.divide(pred_sum, pred_n, out=np.zeros(n_rows), where=pred_n > 0)
    # survivors first, then filtered rows by how late they were filtered; hardness orders within each group
    return np.where(alive, iteration + 2.0, removed_at + 1.0) + hardness
