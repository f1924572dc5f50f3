"""The unified schema of each task kind: every source (hub, native files, kit) is mapped into one of these."""
from __future__ import annotations

from datasets import ClassLabel, Features, Sequence, Value

KINDS = (
    "pair_classification",
    "single_classification",
    "multiple_choice",
    "span_qa",
    "tagging",
    "retrieval",
)

# Fields a row of each kind must carry (besides `id` and `lang`), and which of them hold free text that must
# not be empty.
FIELDS: dict[str, tuple[str, ...]] = {
    "pair_classification": ("text_a", "text_b", "label"),
    "single_classification": ("text", "label"),
    "multiple_choice": ("context", "question", "choices", "label"),
    "span_qa": ("context", "question", "answers"),
    "tagging": ("tokens", "tags"),
    "retrieval": ("query", "target", "target_ids"),
}
NONEMPTY_TEXT: dict[str, tuple[str, ...]] = {
    "pair_classification": ("text_a", "text_b"),
    "single_classification": ("text",),
    "multiple_choice": (),  # context or question may be empty (CSQA, HellaSwag): checked with the choices
    "span_qa": ("context", "question"),
    "tagging": (),
    "retrieval": ("query",),
}
UNLABELLED = -1  # ClassLabel's own "no label" value


def features(kind: str, labels: list[str] | None) -> Features:
    """`datasets.Features` for a kind; `labels=None` on a tagging task means an open tag set (e.g. CCG)."""
    common = {"id": Value("string"), "lang": Value("string")}
    if kind == "pair_classification":
        return Features({**common, "text_a": Value("string"), "text_b": Value("string"), "label": ClassLabel(names=labels)})
    if kind == "single_classification":
        return Features({**common, "text": Value("string"), "label": ClassLabel(names=labels)})
    if kind == "multiple_choice":
        return Features({**common, "context": Value("string"), "question": Value("string"),
                         "choices": Sequence(Value("string")), "label": Value("int32")})
    if kind == "span_qa":
        return Features({**common, "context": Value("string"), "question": Value("string"),
                         "answers": {"text": Sequence(Value("string")), "answer_start": Sequence(Value("int32"))}})
    if kind == "tagging":
        tag = ClassLabel(names=labels) if labels else Value("string")
        return Features({**common, "tokens": Sequence(Value("string")), "tags": Sequence(tag)})
    if kind == "retrieval":
        return Features({**common, "query": Value("string"), "target": Value("string"),
                         "target_ids": Sequence(Value("string"))})
    raise ValueError(f"unknown task kind {kind!r}; known: {', '.join(KINDS)}")


POOL_FEATURES = Features({"id": Value("string"), "lang": Value("string"), "text": Value("string")})
