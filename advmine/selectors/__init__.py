"""Selector registry: `--select NAME --budget N|fraction`. A selector scores every row of one language group
(higher = harder); the select step keeps the `budget` hardest and stores the score as `score_<name>`.

Each selector's own options are a typed config beside its entry; `select:` in a build config stays one flat
mapping (name, budget and every selector's options), so configs and `BuildConfig.key()` keep their shape.
Scorers are named "module:attr" (imported on first use) and called as `(points, rows, kind, cfg, seed)` with
the flat SelectConfig; `needs={"vectors"}` asks the select step for sentence vectors (`points`), and
`needs={"reference"}` also for the cross-fitted reference over the English source (`reference=`, a
advmine.reference.GroupReference), which only kinds with `references` (stilts.core.kinds) can give.

Budgets are label-stratified by default (`stratify`, advmine.stratify) and every subset's diagnostics
(`diagnostics`, advmine.diagnostics) go into the card."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from advmine.knn import IndexStructure
from stilts.core.errors import StiltsError
from stilts.core.registry import Entry, Registry


@dataclass(frozen=True)
class KnnOptions:
    k: int = 10                  # neighbours
    index: IndexStructure = "auto"


@dataclass(frozen=True)
class AfliteOptions:
    rounds: int = 32             # linear probes per filtering iteration
    train_fraction: float = 0.5  # share of the points each probe trains on
    threshold: float = 0.75      # predictability above which examples are filtered
    slice: int = 0               # examples removed per iteration (0: 5% of the group)


@dataclass(frozen=True)
class MarginOptions:
    model_id: str | None = None  # a stilts run dir or any HF sequence classifier
    batch_size: int = 32


@dataclass(frozen=True)
class CartographyOptions:
    epochs: int = 6                                          # epochs of the dynamics probe (one record each)
    region: Literal["ambiguous", "hard", "easy"] = "ambiguous"   # high variability | low | high confidence


@dataclass(frozen=True)
class CrossLingualOptions:
    adequacy_floor: float | None = None   # rows whose adequacy is below it rank last (None: calibrated per language)


@dataclass(frozen=True)
class SelectConfig:
    """The flat `select:` mapping: what every selector shares, then each selector's options (see its entry)."""
    name: str = "knn-disagreement"
    budget: float = 0.3          # a fraction (0, 1] of each language's rows, or a count N >= 1 per language
    k: int = 10                  # knn-disagreement (KnnOptions)
    index: IndexStructure = "auto"   # advmine.knn: auto | flat | pq-refine | ivf | hnsw | nndescent
    rounds: int = 32             # aflite (AfliteOptions)
    train_fraction: float = 0.5
    threshold: float = 0.75
    slice: int = 0
    model_id: str | None = None  # model-margin (MarginOptions)
    batch_size: int = 32
    epochs: int = 6              # cartography (CartographyOptions)
    region: Literal["ambiguous", "hard", "easy"] = "ambiguous"
    adequacy_floor: float | None = None   # cross-lingual-disagreement (CrossLingualOptions)
    stratify: bool = True        # each class keeps its share of the budget (kinds with a class per row)
    diagnostics: bool = True     # per-language subset diagnostics in the card (embeds the English source)
    folds: int = 5               # cross-fitting folds of the reference (diagnostics and reference selectors)
    options: dict[str, Any] = field(default_factory=dict)


# (points, rows, kind, cfg, seed) -> one score per row, or (scores, notes): notes (e.g. how the neighbours were
# found and how good they are) go into the select step's stats and the dataset card
Scorer = Callable[..., "np.ndarray | tuple[np.ndarray, dict[str, str]]"]
SHARED = ("name", "budget", "options", "stratify", "diagnostics", "folds")   # SelectConfig fields that belong to no single selector

SELECTORS = Registry("selector")
for _entry in [
    Entry("knn-disagreement", "advmine.selectors.knn_disagreement:knn_disagreement_scores", KnnOptions,
          frozenset({"vectors"}), "similarity-weighted share of the k nearest neighbours with another label"),
    Entry("aflite", "advmine.selectors.aflite:aflite_scores", AfliteOptions, frozenset({"vectors"}),
          "AFLite: rows that linear probes on the vectors predict least often"),
    Entry("model-margin", "advmine.selectors.model_margin:model_margin_scores", MarginOptions,
          doc="low margin p(gold) - max p(other) of a reference classifier"),
    Entry("cartography", "advmine.selectors.cartography:cartography_scores", CartographyOptions,
          frozenset({"vectors", "reference"}),
          "Dataset Cartography: variability or confidence of p(gold) over a reference's training epochs"),
    Entry("cross-lingual-disagreement", "advmine.selectors.cross_lingual:cross_lingual_scores",
          CrossLingualOptions, frozenset({"vectors", "reference"}),
          "how far a reference's p(gold) drops from the English source to the row's language"),
    Entry("random", "advmine.selectors.random_control:random_scores", doc="the random control"),
]:
    SELECTORS.add(_entry)


def get_selector(name: str) -> Scorer:
    return SELECTORS.get(name).load()


@dataclass
class Scored:
    """A scorer's full answer: one score per row, notes for the card, and more per-row columns to keep."""
    scores: np.ndarray
    notes: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, np.ndarray] = field(default_factory=dict)


def scored(result: np.ndarray | tuple | Scored) -> Scored:
    """A scorer's result as a `Scored`, whichever shape it returned (scores, (scores, notes), or Scored)."""
    if isinstance(result, Scored):
        return result
    return Scored(*result) if isinstance(result, tuple) else Scored(result)


def scores_and_notes(result: np.ndarray | tuple | Scored) -> tuple[np.ndarray, dict[str, Any]]:
    """A scorer's result as (scores, notes), whichever shape it returned."""
    s = scored(result)
    return s.scores, s.notes


def require_reference(selector: str, kind: str) -> None:
    """One line naming the kinds a reference-model selector supports, for any other kind."""
    from stilts.core.kinds import KINDS, get_kind

    if not get_kind(kind).references:
        ok = [k for k in KINDS if get_kind(k).references]
        raise StiltsError(f"--select {selector} supports {', '.join(ok)} tasks (a reference classifier on frozen "
                          f"vectors); a {kind} task needs --select knn-disagreement, aflite or random")


def selector_options(sel: SelectConfig) -> Any:
    """The chosen selector's own typed options, read from the flat config (None for a selector without any)."""
    entry = SELECTORS.get(sel.name)
    names = [f.name for f in dataclasses.fields(entry.config)] if entry.config else []
    return entry.config_from({n: getattr(sel, n) for n in names}, f"select ({sel.name})")


def budget_count(budget: float, n: int) -> int:
    if budget <= 0:
        raise StiltsError(f"--budget {budget}: use a fraction in (0, 1] or a row count >= 1")
    if budget > 1 and budget != int(budget):
        raise StiltsError(f"--budget {budget}: a count must be a whole number (or use a fraction in (0, 1])")
    return min(n, int(round(budget * n)) if budget <= 1 else int(budget))
