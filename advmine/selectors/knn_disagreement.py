"""`knn-disagreement`: an example is hard when its nearest neighbours (faiss, cosine) carry other labels.

Score of a row = similarity-weighted share of the k nearest other points (points of the same row excluded)
whose label differs from the row's gold point. For multiple choice and span QA the points are
question/answer pairs labelled gold or not (advmine.points), so a hard example is one whose gold
question/answer pair sits among distractor pairs of other examples."""
from __future__ import annotations

import numpy as np

from advmine.knn import all_neighbours, describe
from stilts.core.kinds import get_kind


def knn_disagreement_scores(points, rows: list[dict], kind: str, cfg, seed: int) -> tuple[np.ndarray, dict]:
    n_points = len(points.labels)
    k = min(cfg.k, max(1, n_points - 1))
    queries = np.flatnonzero(points.primary)
    extra = 1 + (int(np.bincount(points.row).max()) if get_kind(kind).several_points else 1)
    nb = all_neighbours(points.vectors, min(n_points, k + extra), cfg.index, seed, queries)
    sims, ids = nb.sims, nb.ids
    scores = np.zeros(len(rows))
    for q, (s_row, i_row) in zip(queries, zip(sims, ids)):
        keep = [(s, j) for s, j in zip(s_row, i_row) if j >= 0 and points.row[j] != points.row[q]][:k]
        if not keep:
            continue
        w = np.array([max(s, 0.0) for s, _ in keep]) + 1e-6
        differs = np.array([points.labels[j] != points.labels[q] for _, j in keep], dtype=float)
        scores[points.row[q]] = float((w * differs).sum() / w.sum())
    return scores, {"neighbours": describe(nb)}
