"""Metrics, one registry entry each, defined once and used everywhere (model selection now; `stilts eval`
builds on the same entries). Each takes predictions and references and returns a score in [0, 100]."""
from __future__ import annotations

import collections
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from stilts.errors import unknown


@dataclass(frozen=True)
class Metric:
    name: str
    fn: Callable[[list, list], float]
    higher_is_better: bool = True


def accuracy(preds: list, refs: list) -> float:
    return 100.0 * sum(p == r for p, r in zip(preds, refs)) / max(len(refs), 1)


def token_accuracy(preds: list[list[str]], refs: list[list[str]]) -> float:
    pairs = [(p, r) for ps, rs in zip(preds, refs) for p, r in zip(ps, rs)]
    return 100.0 * sum(p == r for p, r in pairs) / max(len(pairs), 1)


def seqeval_f1(preds: list[list[str]], refs: list[list[str]]) -> float:
    from seqeval.metrics import f1_score

    return 100.0 * f1_score(refs, preds)


def _normalize_en(s: str) -> str:
    s = "".join(ch for ch in s.lower() if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def _f1(pred: str, gold: str) -> float:
    p, g = _normalize_en(pred).split(), _normalize_en(gold).split()
    common = collections.Counter(p) & collections.Counter(g)
    same = sum(common.values())
    if not p or not g:
        return float(p == g)
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def squad_f1(preds: list[str], refs: list[list[str]]) -> float:
    """SQuAD v1.1 token F1, max over the gold answers (English normalisation, as the official script)."""
    return 100.0 * sum(max((_f1(p, g) for g in golds), default=0.0) for p, golds in zip(preds, refs)) / max(len(refs), 1)


METRICS: dict[str, Metric] = {m.name: m for m in [
    Metric("accuracy", accuracy), Metric("token_accuracy", token_accuracy), Metric("seqeval_f1", seqeval_f1),
    Metric("squad_f1_em", squad_f1), Metric("mlqa_f1_em", squad_f1),
]}


def get_metric(name: str) -> Metric:
    if name not in METRICS:
        raise unknown("metric", name, sorted(METRICS))
    return METRICS[name]
