"""The reference classifiers that hardness and noise are measured with, both linear on frozen sentence vectors
(the kind's `reference_features`, e.g. [u, v, |u-v|, u*v] for a pair), trained on the English source rows.

* Cross-fitted: logistic regression (sklearn, L2, C=1, raw unit-norm features), one per fold of source examples,
  so every example, and every translation or perturbation of it, is scored by a model that never trained on it:
  the noise estimate and cross-lingual disagreement read it. Its cross-fitted accuracy says what it is worth.
* Training dynamics: softmax regression trained epoch by epoch with seeded minibatch SGD on every source row,
  recording each row's gold-label probability after each epoch (Dataset Cartography's record).

Why linear on frozen vectors: seconds on a CPU for thousands of rows, deterministic, and the build has the
vectors already. Unstandardised on purpose: standardised features make the probes overconfident (on 1,000 MNLI
rows, p(gold) < 0.1 for 26% of rows at 54% accuracy, against 0% at 57% raw)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NAME = "logistic regression (C=1) on frozen sentence vectors"
DYNAMICS = "softmax regression on frozen sentence vectors, minibatch SGD"


@dataclass(frozen=True)
class ProbeSettings:
    epochs: int = 6          # passes over the training rows (cartography records one probability per pass)
    folds: int = 5           # cross-fitting folds, assigned by source example
    lr: float = 0.5          # SGD step (dynamics probe)
    batch: int = 32
    l2: float = 1e-4
    seed: int = 0


class SoftmaxProbe:
    """Multinomial logistic regression trained by SGD with momentum on the raw (unit-norm) sentence features:
    standardising them makes the probe overconfident (p < 0.1 on a quarter of MNLI rows at 54% accuracy, against
    none unstandardised), which would turn every hard row into "noise"."""

    def __init__(self, n_features: int, n_classes: int, settings: ProbeSettings):
        self.s = settings
        self.w = np.zeros((n_features, n_classes))
        self.b = np.zeros(n_classes)
        self._vw, self._vb = np.zeros_like(self.w), np.zeros_like(self.b)

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.w + self.b
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def fit_epochs(self, x: np.ndarray, y: np.ndarray, watch: np.ndarray | None = None) -> np.ndarray:
        """Train `epochs` passes; returns p(class) of `watch` (default: the training rows) after each pass,
        shape (epochs, n, classes)."""
        xs = x
        rng = np.random.default_rng(self.s.seed)
        onehot = np.eye(self.w.shape[1])[y]
        record = []
        for _ in range(self.s.epochs):
            order = rng.permutation(len(xs))
            for start in range(0, len(order), self.s.batch):
                i = order[start:start + self.s.batch]
                z = xs[i] @ self.w + self.b
                z -= z.max(axis=1, keepdims=True)
                p = np.exp(z)
                p /= p.sum(axis=1, keepdims=True)
                g = (p - onehot[i]) / len(i)
                self._vw = 0.9 * self._vw + xs[i].T @ g + self.s.l2 * self.w
                self._vb = 0.9 * self._vb + g.sum(axis=0)
                self.w -= self.s.lr * self._vw
                self.b -= self.s.lr * self._vb
            record.append(self.proba(x if watch is None else watch))
        return np.stack(record)


def fold_of(ids: list[str], folds: int, seed: int) -> np.ndarray:
    """A seeded fold per source example (balanced: a permutation cut into `folds` parts)."""
    order = np.random.default_rng(seed).permutation(len(ids))
    out = np.empty(len(ids), dtype=int)
    out[order] = np.arange(len(ids)) % folds
    return out


@dataclass
class Reference:
    """A cross-fitted reference over one split's English source rows."""
    index: dict[str, int]        # source id -> row of `x`
    x: np.ndarray                # (n_src, d) features of the English source rows
    y: np.ndarray                # (n_src,) gold class
    fold: np.ndarray             # (n_src,) fold of each source example
    probes: list                 # probe k (predict_proba) never trained on fold k
    oof: np.ndarray              # (n_src, C) out-of-fold p(class) of each source row
    settings: ProbeSettings

    @property
    def accuracy(self) -> float:
        """Cross-fitted accuracy on the English source: how far its judgements can be trusted."""
        return float((self.oof.argmax(1) == self.y).mean()) if len(self.y) else 0.0

    def proba_of(self, orig_ids: list[str], x: np.ndarray) -> np.ndarray:
        """p(class) of rows (any language) by the probe that never saw their source example; NaN where a row's
        source is unknown."""
        out = np.full((len(orig_ids), self.oof.shape[1]), np.nan)
        src = np.array([self.index.get(i, -1) for i in orig_ids])
        for k, probe in enumerate(self.probes):
            rows = np.flatnonzero((src >= 0) & (self.fold[np.maximum(src, 0)] == k))
            if len(rows):
                out[rows] = probe.predict_proba(x[rows])
        return out

    def source_proba(self, orig_ids: list[str]) -> np.ndarray:
        """Out-of-fold p(class) of each row's English source example."""
        out = np.full((len(orig_ids), self.oof.shape[1]), np.nan)
        for r, i in enumerate(orig_ids):
            if i in self.index:
                out[r] = self.oof[self.index[i]]
        return out


def cross_fit(ids: list[str], x: np.ndarray, y: np.ndarray, n_classes: int, settings: ProbeSettings) -> Reference:
    """K probes, each trained on the other folds' source rows; every row scored out of fold."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    fold = fold_of(ids, settings.folds, settings.seed)
    oof = np.full((len(ids), n_classes), 1.0 / n_classes)
    probes = []
    for k in range(settings.folds):
        train, test = fold != k, fold == k
        probe = _Constant(n_classes)
        if len(np.unique(y[train])) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                probe = _Full(LogisticRegression(C=1.0, max_iter=500).fit(x[train], y[train]), n_classes)
        if test.any():
            oof[test] = probe.predict_proba(x[test])
        probes.append(probe)
    return Reference({i: n for n, i in enumerate(ids)}, x, y, fold, probes, oof, settings)


class _Full:
    """A fitted probe's probabilities over every class, also those its training folds lacked."""

    def __init__(self, model, n_classes: int):
        self.model, self.n = model, n_classes

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros((len(x), self.n))
        out[:, self.model.classes_] = self.model.predict_proba(x)
        return out


class _Constant:
    def __init__(self, n_classes: int):
        self.n = n_classes

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.full((len(x), self.n), 1.0 / self.n)


def training_dynamics(x: np.ndarray, y: np.ndarray, n_classes: int, settings: ProbeSettings) -> np.ndarray:
    """Dataset Cartography's record: p(class) of every training row after each epoch, shape (epochs, n, C)."""
    return SoftmaxProbe(x.shape[1], n_classes, settings).fit_epochs(x, y)


@dataclass
class GroupReference:
    """What a reference selector reads for one language group: the split's cross-fitted reference, each row's
    source example, its probabilities as it is and on its English source, and its adequacy."""
    reference: Reference
    src: np.ndarray              # row -> index of its English source example (-1: unknown)
    gold: np.ndarray             # row -> gold class
    p_row: np.ndarray            # (n, C) the row as it is, by the probe that never saw its source
    p_src: np.ndarray            # (n, C) its English source, out of fold
    adequacy: np.ndarray         # worst text cosine to the source (advmine.adequacy)
    floor: float                 # the language's calibrated adequacy floor
    _dynamics: dict              # shared per split: epochs -> (E, n_src, C)

    def dynamics(self, epochs: int) -> np.ndarray:
        """The source's training dynamics (computed once per split and epoch count)."""
        if epochs not in self._dynamics:
            r = self.reference
            s = ProbeSettings(**{**r.settings.__dict__, "epochs": epochs})
            self._dynamics[epochs] = training_dynamics(r.x, r.y, r.oof.shape[1], s)
        return self._dynamics[epochs]
