"""How an encoder is read for retrieval: which hidden layer is mean-pooled and what text goes before each sentence.

XLM-R is a masked LM whose most cross-lingual layer lies in the middle: XTREME pools layer 14 of 24, and so does
every model without a profile here. e5 is a contrastive sentence encoder, trained to be read at its last layer
with "query: " before symmetric inputs (bitext mining, similarity). Tatoeba (en->xx; de fr ar sw th zh hi ru) of
the 4-bit e5-small: 77.2 at XTREME's layer (7 of 12), 88.6 at the last layer with "query: ", 90.4 at the last
layer without it (the prefix follows e5's documented use; on this copy it costs 1.8 points: `--prefix ''`).
A model trained from a phase-1 model (a delta over it, whose base.json names it) is read the way that model was
built. Explicit options (`stilts eval --layer/--prefix`, a config's `retrieval_layer`) override this.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stilts.models import LAST
from stilts.models.e5_small import HUB_ID, QUERY_PREFIX, is_e5_small_dir


@dataclass(frozen=True)
class RetrievalProfile:
    layer: float          # see stilts.models.layer_index
    prefix: str = ""      # put before every sentence before tokenising


XTREME = RetrievalProfile(14 / 24)   # hub models and every model without a family below


@dataclass(frozen=True)
class Family:
    profile: RetrievalProfile
    names: tuple[str, ...]                 # how configs name it: a locally built source, a hub id
    built: Callable[[Path], bool]          # whether a directory is this family's own model


FAMILIES: dict[str, Family] = {
    "e5-small": Family(RetrievalProfile(LAST, QUERY_PREFIX), ("e5-small", HUB_ID), is_e5_small_dir),
}


def root_of(model: str | Path) -> str:
    """The model a directory's weights sit on: a delta's base (base.json), else the model itself."""
    if not Path(model).is_dir():
        return str(model)
    from stilts.models.weights import base_of

    info = base_of(model)
    return str(info["base"]) if info else str(model)


def family_of(model: str | Path) -> str | None:
    """The family of a model name or directory (a delta's is its base's), or None."""
    root = root_of(model)
    for name, fam in FAMILIES.items():
        if str(model) in fam.names or root in fam.names or (Path(root).is_dir() and fam.built(Path(root))):
            return name
    return None


def profile_of(model: str | Path) -> tuple[str, RetrievalProfile]:
    """(family name, its profile); ("xtreme", XTREME) for a model of no family."""
    name = family_of(model)
    return (name, FAMILIES[name].profile) if name else ("xtreme", XTREME)
