"""`cross-lingual-disagreement`: the rows where transfer breaks for a language. A reference trained on the
English source (cross-fitted: never on the row's own example) scores each row by how much its gold-label
probability drops from the English source to the row as it is (its translation or perturbation); `xl_flip` says
whether the prediction went from right to wrong. Rows whose translation adequacy is below the floor
(advmine.adequacy: calibrated per language unless `adequacy_floor` is set) rank after every faithful row, so
the subset holds hard-but-faithful rows, not broken translations."""
from __future__ import annotations

import numpy as np

from advmine.reference import GroupReference
from advmine.selectors import Scored, require_reference


def cross_lingual_scores(points, rows: list[dict], kind: str, cfg, seed: int,
                         reference: GroupReference | None = None) -> Scored:
    require_reference("cross-lingual-disagreement", kind)
    ref = reference
    n = len(rows)
    idx = np.arange(n)
    drop = ref.p_src[idx, ref.gold] - ref.p_row[idx, ref.gold]
    flip = (ref.p_src.argmax(1) == ref.gold) & (ref.p_row.argmax(1) != ref.gold)
    floor = ref.floor if cfg.adequacy_floor is None else cfg.adequacy_floor
    faithful = ~(ref.adequacy < floor)                 # NaN adequacy (no source text) counts as faithful
    drop = np.nan_to_num(drop, nan=-1.0)
    score = np.where(faithful, drop, drop - 3.0)       # drop is in [-1, 1]: unfaithful rows rank last
    notes = {"adequacy_floor": round(float(floor), 4), "below_floor": int((~faithful).sum())}
    return Scored(score, notes, {"xl_drop": drop, "xl_flip": flip.astype(float)})
