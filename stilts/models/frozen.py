"""How much of a model is frozen from the bottom: what a feature cache may store and what a delta leaves out.
Its own module because both `prefix` (the cache) and `weights` (deltas) need it, and `prefix` reads `weights`."""
from __future__ import annotations

from typing import Any


def frozen_prefix(model: Any) -> int:
    """How many lowest layers are frozen together with the whole embeddings block (0: none)."""
    base = model.base_model
    if any(p.requires_grad for p in base.embeddings.parameters()):
        return 0
    k = 0
    for block in base.encoder.layer:
        if any(p.requires_grad for p in block.parameters()):
            break
        k += 1
    return k
