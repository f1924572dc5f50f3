"""Map one source record into the unified schema of its task kind, validating as it goes.

Every problem raises `DataError(file, row, field, ...)`: one line that says where and what. Functions here are
top-level and take plain JSON-able arguments, so `datasets` can fingerprint the maps that call them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from stilts.core.errors import DataError
from stilts.core.tasks.schema import FIELDS, NONEMPTY_TEXT

MISSING = object()


def pick(rec: dict, source: Any, where: tuple, field: str) -> Any:
    """Read a mapped column: a name, a position (headerless TSV), a dotted path, a list of those, or null ("")."""
    if source is None:
        return ""
    if isinstance(source, list):
        return [pick(rec, s, where, field) for s in source]
    if source in rec:
        return rec[source]
    if isinstance(source, str) and "." in source:
        value: Any = rec
        for part in source.split("."):
            if not isinstance(value, dict) or part not in value:
                return MISSING
            value = value[part]
        return value
    return MISSING


def label_index(raw: Any, names: list[str] | None, label_map: dict, n_choices: int | None,
                where: tuple, field: str) -> int | None:
    """Raw label -> class index. Accepts label names, aliases from `label_map`, or integer indices."""
    if raw is None or raw is MISSING or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if label_map:
        raw = label_map.get(str(raw).strip(), raw)
    if isinstance(raw, str):
        raw = raw.strip()
    size = len(names) if names else n_choices
    if isinstance(raw, bool):
        raise DataError(*where, field, f"label {raw!r} is a boolean, expected a class")
    if isinstance(raw, int) or (isinstance(raw, str) and raw.lstrip("-").isdigit()):
        i = int(raw)
        if i == -1:
            return None
        if size is not None and 0 <= i < size:
            return i
        raise DataError(*where, field, f"label index {i} is out of range 0..{(size or 1) - 1}")
    if names and raw in names:
        return names.index(raw)
    known = ", ".join(names) if names else f"0..{(size or 1) - 1}"
    raise DataError(*where, field, f"unknown label {raw!r} (known: {known})")


def unify(rec: dict, job: dict, file: str | Path | None, row: Any, state: dict) -> dict:
    """One record -> one unified row. `state` is per file: it remembers whether the file carries labels."""
    kind, where = job["kind"], (file, row)
    if not job.get("structured"):
        cols = job.get("columns") or {}
        out = {f: pick(rec, cols.get(f, f), where, f) for f in FIELDS[kind]}
        out["id"] = pick(rec, cols.get("id", "id"), where, "id")
        for f in FIELDS[kind]:
            v = out[f]
            if v is MISSING or (isinstance(v, list) and MISSING in v):
                if f in ("label", "tags", "answers", "target", "target_ids"):
                    out[f] = MISSING
                    continue
                src = cols.get(f, f)
                raise DataError(*where, f, f"column {src!r} not found (row has: {', '.join(map(str, rec))})")
    else:
        out = dict(rec)
    class_names = job.get("class_names") or {}
    for f, names in class_names.items():  # hub ClassLabel ints -> their names, before our own label mapping
        if f in out and out[f] is not MISSING:
            out[f] = ([names[v] if v is not None and v >= 0 else None for v in out[f]] if isinstance(out[f], list)
                      else (names[out[f]] if out[f] is not None and out[f] >= 0 else None))
    rid = out.get("id")
    if rid in (None, "", MISSING):
        part = f"{job['file_index']}-" if "file_index" in job else ""
        out["id"] = f"{job['lang']}-{job['split']}-{part}{row}"
    else:
        out["id"] = str(rid)
    out["lang"] = job["lang"]
    for f in NONEMPTY_TEXT[kind]:
        v = out.get(f)
        if not isinstance(v, str):
            raise DataError(*where, f, f"expected text, got {type(v).__name__}")
        if not v.strip():
            raise DataError(*where, f, "empty text")
    _KIND_CHECKS[kind](out, job, where, state)
    return {k: out[k] for k in ("id", "lang", *FIELDS[kind])}


def _labelled(state: dict, has_label: bool, where: tuple, field: str) -> bool:
    """The first row decides whether a file is labelled; after that every row must agree."""
    if state.get("labelled") is None:
        state["labelled"] = has_label
    elif state["labelled"] != has_label:
        problem = "missing label" if state["labelled"] else "a label in an unlabelled file"
        raise DataError(*where, field, problem)
    return has_label


def _check_classification(out: dict, job: dict, where: tuple, state: dict) -> None:
    idx = label_index(out["label"], job["labels"], job.get("label_map") or {}, None, where, "label")
    _labelled(state, idx is not None, where, "label")
    out["label"] = -1 if idx is None else idx


def _check_choice(out: dict, job: dict, where: tuple, state: dict) -> None:
    choices = out["choices"]
    if not isinstance(choices, list) or len(choices) < 2:
        raise DataError(*where, "choices", "needs a list of at least two choices")
    for i, c in enumerate(choices):
        if not isinstance(c, str) or not c.strip():
            raise DataError(*where, "choices", f"choice {i} is empty")
    for f in ("context", "question"):
        if not isinstance(out.get(f) or "", str):
            raise DataError(*where, f, f"expected text, got {type(out[f]).__name__}")
        out[f] = out.get(f) or ""
    if not (out["context"].strip() or out["question"].strip()):
        raise DataError(*where, "context", "empty text (and no question either)")
    idx = label_index(out["label"], None, job.get("label_map") or {}, len(choices), where, "label")
    _labelled(state, idx is not None, where, "label")
    out["label"] = -1 if idx is None else idx


def _check_qa(out: dict, job: dict, where: tuple, state: dict) -> None:
    ans = out["answers"]
    if ans is MISSING or ans is None:
        ans = {"text": [], "answer_start": []}
    if not isinstance(ans, dict) or len(ans.get("text", [])) != len(ans.get("answer_start", [])):
        raise DataError(*where, "answers", "expected {text: [...], answer_start: [...]} of equal length")
    if not job.get("unanswerable"):  # in SQuAD v2.0 an empty answer list is a label, not a stripped one
        _labelled(state, bool(ans["text"]), where, "answers")
    out["answers"] = {"text": list(ans["text"]), "answer_start": [int(s) for s in ans["answer_start"]]}


def _check_tagging(out: dict, job: dict, where: tuple, state: dict) -> None:
    tokens, tags = out["tokens"], out["tags"]
    if not isinstance(tokens, list) or not tokens:
        raise DataError(*where, "tokens", "empty sentence")
    for i, t in enumerate(tokens):
        if not isinstance(t, str) or not t.strip():
            raise DataError(*where, "tokens", f"token {i} is empty")
    if tags is MISSING or tags is None or all(t is None for t in tags):
        _labelled(state, False, where, "tags")
        out["tags"] = [-1 if job["labels"] else ""] * len(tokens)
        return
    _labelled(state, True, where, "tags")
    if len(tags) != len(tokens):
        raise DataError(*where, "tags", f"{len(tags)} tags for {len(tokens)} tokens")
    if job["labels"]:
        idx = [label_index(t, job["labels"], job.get("label_map") or {}, None, where, "tags") for t in tags]
        if None in idx:
            raise DataError(*where, "tags", f"token {idx.index(None)} has no tag")
        out["tags"] = idx
    else:
        out["tags"] = [str(t) for t in tags]


def _check_retrieval(out: dict, job: dict, where: tuple, state: dict) -> None:
    ids, target = out.get("target_ids"), out.get("target")
    out["target"] = "" if target in (None, MISSING) else target
    if ids in (None, MISSING):  # line-aligned bitext (Tatoeba on the hub): row i translates English row i
        out["target_ids"] = [f"eng-{where[1]}"] if out["target"] else []
    else:
        out["target_ids"] = [str(i) for i in (ids if isinstance(ids, list) else [ids])]


_KIND_CHECKS = {
    "pair_classification": _check_classification,
    "single_classification": _check_classification,
    "multiple_choice": _check_choice,
    "span_qa": _check_qa,
    "tagging": _check_tagging,
    "retrieval": _check_retrieval,
}
