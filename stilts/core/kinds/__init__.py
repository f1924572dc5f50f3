"""Task kinds: one `TaskKind` per kind, one module each, in one table. Code outside this package asks the
kind (`get_kind(spec.kind).texts_to_translate(row)`) instead of branching on its name."""
from __future__ import annotations

from stilts.core.errors import unknown
from stilts.core.kinds.base import IGNORE, UNLABELLED, TaskKind
from stilts.core.kinds.mlm import MaskedLM
from stilts.core.kinds.multiple_choice import MultipleChoice
from stilts.core.kinds.pair_classification import PairClassification
from stilts.core.kinds.retrieval import Retrieval
from stilts.core.kinds.single_classification import SingleClassification
from stilts.core.kinds.span_qa import SpanQA
from stilts.core.kinds.tagging import Tagging

TABLE: dict[str, TaskKind] = {k.name: k for k in (
    PairClassification(), SingleClassification(), MultipleChoice(), SpanQA(), Tagging(), Retrieval(), MaskedLM())}
KINDS: tuple[str, ...] = tuple(name for name, k in TABLE.items() if k.is_task)   # the kinds a task spec may name


def get_kind(name: str) -> TaskKind:
    if name not in TABLE:
        raise unknown("task kind", name, list(TABLE))
    return TABLE[name]


def kind_of_columns(columns: set[str] | dict) -> str | None:
    """The kind whose unified fields a --columns mapping names (the most specific signature first)."""
    for k in sorted((k for k in TABLE.values() if k.signature), key=lambda k: k.signature_rank):
        if k.signature <= set(columns):
            return k.name
    return None


__all__ = ["IGNORE", "KINDS", "TABLE", "UNLABELLED", "TaskKind", "get_kind", "kind_of_columns"]
