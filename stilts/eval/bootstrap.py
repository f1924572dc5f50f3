"""Paired bootstrap over test examples and seeds.

One replicate draws the test examples of every (task, language) with replacement, as multinomial counts shared
by all conditions (so two conditions are always compared on the same resample), and the seeds with replacement,
as indices into the seed list shared by all conditions (seed k of a condition is paired with seed k of the
baseline: same data order and head initialisation). A score on a replicate is the metric's `combine` of
count-weighted per-example statistics; averages over languages and tasks are averages of replicate vectors,
so their intervals account for every source of noise at once.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from stilts.core.errors import StiltsError
from stilts.eval.metrics import get_metric


@dataclass(frozen=True)
class Resampling:
    replicates: int
    seed: int
    seeds: int                  # how many paired seeds

    def seed_draws(self) -> np.ndarray:
        """(B, S) indices of the seeds each replicate averages over."""
        return np.random.default_rng([self.seed, 1]).integers(0, self.seeds, size=(self.replicates, self.seeds))

    def example_counts(self, key: str, n: int) -> np.ndarray:
        """(B, n) multinomial counts for one test set; the same for every condition (keyed by task/language)."""
        salt = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
        rng = np.random.default_rng([self.seed, 2, salt])
        return rng.multinomial(n, np.full(n, 1.0 / n), size=self.replicates).astype(np.float32)


def example_stats(metric: str, predictions: list[dict], lang: str) -> tuple[list, np.ndarray]:
    """(example ids, n x c statistics) from the per-example predictions that `stilts eval` keeps."""
    m = get_metric(metric)
    if m.per_example is None:
        raise StiltsError(f"metric {metric} has no per-example statistics (pairs mined over a pool): no bootstrap")
    ids = [p.get("id") for p in predictions]
    stats = m.per_example([p["pred"] for p in predictions], [p["gold"] for p in predictions], lang)
    return ids, np.asarray(stats, dtype=np.float64)


def score(metric: str, stats: np.ndarray) -> float:
    """The leaderboard score of all examples once (what every replicate perturbs)."""
    return float(get_metric(metric).combine(stats.sum(0), np.asarray(len(stats))))


def replicate_scores(metric: str, per_seed: list[np.ndarray], counts: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """(B,) scores of one condition on one test set: per seed, the count-weighted statistics combined; then the
    mean over each replicate's drawn seeds."""
    combine = get_metric(metric).combine
    n = counts.sum(1)                                                   # (B,)
    by_seed = np.stack([combine(counts @ s, n) for s in per_seed], 1)  # (B, S)
    return np.take_along_axis(by_seed, draws, 1).mean(1)


def interval(reps: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    lo, hi = np.percentile(reps, [50 * (1 - level), 50 * (1 + level)])
    return float(lo), float(hi)


def paired_difference(metric: str, cond: list[np.ndarray], base: list[np.ndarray], replicates: int = 1000,
                      seed: int = 0, key: str = "test") -> dict:
    """Difference cond - base of one test set with its 95% interval; cond[k] and base[k] are seed k's n x c
    statistics over the same examples in the same order."""
    if len(cond) != len(base) or not cond:
        raise StiltsError("paired bootstrap needs the same seeds for both conditions")
    n = len(cond[0])
    if any(len(s) != n for s in cond + base):
        raise StiltsError("paired bootstrap needs the same test examples for both conditions")
    rs = Resampling(replicates, seed, len(cond))
    counts, draws = rs.example_counts(key, n), rs.seed_draws()
    reps = replicate_scores(metric, cond, counts, draws) - replicate_scores(metric, base, counts, draws)
    point = float(np.mean([score(metric, c) - score(metric, b) for c, b in zip(cond, base)]))
    lo, hi = interval(reps)
    return {"diff": point, "lo": lo, "hi": hi, "p_le_0": float(np.mean(reps <= 0)), "replicates": reps}
