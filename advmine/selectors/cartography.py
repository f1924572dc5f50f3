"""`cartography`: Dataset Cartography (Swayamdipta et al., EMNLP 2020). A reference trained epoch by epoch on
the English source (advmine.reference.training_dynamics) records each example's gold-label probability after
every epoch: confidence = their mean, variability = their standard deviation, correctness = the share of epochs
it was predicted right. Every translation or perturbation of an example inherits its example's figures (the map
is of examples; how transfer breaks per language is `cross-lingual-disagreement`'s question).

Regions (`region`): `ambiguous` (high variability, the default: in the paper, training on them generalises
best), `hard` (low confidence: where most mislabelled examples sit), `easy` (high confidence)."""
from __future__ import annotations

import numpy as np

from advmine.reference import GroupReference
from advmine.selectors import Scored, require_reference

MAP_POINTS = 3000   # data-map points kept per language for the card's figure


def cartography_scores(points, rows: list[dict], kind: str, cfg, seed: int,
                       reference: GroupReference | None = None) -> Scored:
    require_reference("cartography", kind)
    ref = reference
    dyn = ref.dynamics(cfg.epochs)                  # (E, n_src, C)
    src = np.maximum(ref.src, 0)
    p_gold = dyn[:, src, ref.gold]                  # (E, n)
    correct = dyn[:, src, :].argmax(-1) == ref.gold
    known = ref.src >= 0
    conf = np.where(known, p_gold.mean(0), np.nan)
    var = np.where(known, p_gold.std(0), np.nan)
    corr = np.where(known, correct.mean(0), np.nan)
    score = {"ambiguous": var, "hard": -conf, "easy": conf}[cfg.region]
    score = np.nan_to_num(score, nan=-np.inf)
    keep = np.sort(np.random.default_rng(seed).permutation(len(rows))[:MAP_POINTS])
    notes = {"region": cfg.region, "epochs": cfg.epochs,
             "data_map": {"rows": keep.tolist(), "confidence": np.round(conf[keep], 4).tolist(),
                          "variability": np.round(var[keep], 4).tolist(),
                          "correctness": np.round(corr[keep], 3).tolist()}}
    return Scored(score, notes, {"cartography_confidence": conf, "cartography_variability": var,
                                 "cartography_correctness": corr})
