"""Which fields of each task kind are translated, and how a translated row is rebuilt.

Multiple choice: context, question and every choice (COPA's `cause`/`effect` question is a keyword and
stays). Span QA: context, question and each answer; the translated answer is then found in the translated
context (exact, then case-insensitive); when it is not there the example is dropped and counted. Tagging:
each token on its own, so the token-level labels stay aligned; only word-level translators can do this.
"""
from __future__ import annotations

from typing import Any

KEEP_AS_IS = {"", "cause", "effect"}


def texts_of(row: dict, kind: str) -> list[str]:
    if kind == "pair_classification":
        return [row["text_a"], row["text_b"]]
    if kind == "single_classification":
        return [row["text"]]
    if kind == "multiple_choice":
        return [row["context"], *([row["question"]] if row["question"] not in KEEP_AS_IS else []), *row["choices"]]
    if kind == "span_qa":
        return [row["context"], row["question"], *row["answers"]["text"]]
    if kind == "tagging":
        return list(row["tokens"])
    if kind == "retrieval":
        return [row["query"], *([row["target"]] if row["target"] else [])]
    raise ValueError(kind)


def rebuild(row: dict, kind: str, tr: dict[str, str]) -> tuple[dict[str, Any] | None, str | None]:
    """The translated row, or (None, reason) when it must be dropped."""
    t = lambda s: tr.get(s, s) if s not in KEEP_AS_IS else s  # noqa: E731
    new = dict(row)
    if kind == "pair_classification":
        new.update(text_a=t(row["text_a"]), text_b=t(row["text_b"]))
    elif kind == "single_classification":
        new.update(text=t(row["text"]))
    elif kind == "multiple_choice":
        new.update(context=t(row["context"]), question=t(row["question"]), choices=[t(c) for c in row["choices"]])
    elif kind == "retrieval":
        new.update(query=t(row["query"]), target=t(row["target"]))
    elif kind == "tagging":
        # An empty translation (a dropped article) keeps the source token, so every tag keeps its token.
        new.update(tokens=[t(tok) or tok for tok in row["tokens"]])
    elif kind == "span_qa":
        context = t(row["context"])
        texts, starts = [], []
        for answer in row["answers"]["text"]:
            a = t(answer)
            start = context.find(a) if a else -1
            if start < 0 and a:
                start = context.lower().find(a.lower())
                a = context[start:start + len(a)] if start >= 0 else a
            if start < 0:
                return None, "answer_not_found"
            texts.append(a)
            starts.append(start)
        new.update(context=context, question=t(row["question"]), answers={"text": texts, "answer_start": starts})
    for field in ("text_a", "text_b", "text", "context", "query"):
        if field in new and not str(new[field]).strip() and str(row[field]).strip():
            return None, "empty_translation"
    return new, None
