"""The unified schema of each task kind: every source (hub, native files, kit) is mapped into one of these.
Each kind's fields live with its `TaskKind` (stilts.core.kinds); this module only names them for the loaders."""
from __future__ import annotations

from datasets import Features, Value

from stilts.core.kinds import KINDS, UNLABELLED, get_kind

__all__ = ["KINDS", "POOL_FEATURES", "UNLABELLED", "features"]


def features(kind: str, labels: list[str] | None) -> Features:
    """`datasets.Features` for a kind; `labels=None` on a tagging task means an open tag set (e.g. CCG)."""
    return get_kind(kind).features(labels)


POOL_FEATURES = Features({"id": Value("string"), "lang": Value("string"), "text": Value("string")})
