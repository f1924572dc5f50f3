"""Metrics, one registry entry each, defined once and used everywhere (model selection in `stilts train`,
zero-shot scoring in `stilts eval`). `compute(name, preds, refs, lang)` returns a dict whose first key is the
task's main score, on a 0-100 scale, as the official scorers report them.

* accuracy: XNLI, PAWS-X, XCOPA (and SIQA/COPA stages).
* seqeval_f1: span-level F1 of seqeval, WikiANN/PAN-X. For UD-POS XTREME passes bare tags (NOUN, VERB) to the
  same seqeval `f1_score`; we do exactly that (`pos_f1`). Chunks are read as seqeval 0.0.12 (what XTREME's
  unpinned `pip install seqeval` gave for the leaderboard) reads them, not as 1.x does: 1.x makes CCONJ and
  SCONJ one type and never closes an X chunk before 'O'.
* squad_f1_em: SQuAD v1.1 F1/EM with English normalisation for every language (XQuAD, TyDiQA-GoldP).
* mlqa_f1_em: MLQA's per-language normalisation: punctuation (all Unicode P*), the articles of en, es, de, vi
  and Arabic's 'ال', whitespace tokens, except zh, where every CJK character and punctuation mark is a token.
  In both, a pair with no common token (also two answers that normalise to nothing) has F1 0, EM by strings.
* retrieval_accuracy: Tatoeba top-1. bucc_f1: F1 of mined pairs (threshold chosen on dev gold).
* map_at_20: mean AP@20 with divisor min(#gold, 20) (LAReQA); with one gold it is MRR@20 (Mewsli-X). A
  repeated id in the ranking takes its rank but scores once, as XTREME's `average_precision_at_k`.

Each metric also splits into per-example sufficient statistics (`per_example`, an n x c array) and a `combine`
of their sums into the leaderboard score, so that `stilts compare` can bootstrap over test examples by
re-weighting rows: accuracy and AP are means, span F1 is 2 tp / (predicted + gold) summed over sentences, and a
QA task counts (F1 + EM) / 2 as the XTREME average does (`task_score`, also what `stilts eval` reports). BUCC
mines pairs over the whole pool: it has no per-example split.
"""
from __future__ import annotations

import collections
import functools
import re
import string
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from stilts.core.errors import StiltsError
from stilts.core.registry import Entry, Registry

PUNCT = {chr(i) for i in range(sys.maxunicode + 1) if unicodedata.category(chr(i)).startswith("P")} | set(
    string.punctuation)
MLQA_ARTICLES = {"en": r"\b(a|an|the)\b", "es": r"\b(un|una|unos|unas|el|la|los|las)\b",
                 "vi": r"\b(của|là|cái|chiếc|những)\b",
                 "de": r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b", "ar": r"\sال^|ال",
                 "hi": None, "zh": None}


def _mixed_segmentation(text: str) -> list[str]:
    """MLQA's Chinese tokens: each CJK character and each punctuation mark alone, other runs whole."""
    out, buf = [], ""
    for ch in text:
        if re.match(r"[\u4e00-\u9fa5]", ch) or ch in PUNCT:
            if buf.strip():
                out += buf.split()
            buf = ""
            out.append(ch)
        else:
            buf += ch
    if buf.strip():
        out += buf.split()
    return out


def normalize(text: str, lang: str = "en", mlqa: bool = False) -> list[str]:
    """Answer tokens after normalisation: SQuAD's (English rules everywhere) or MLQA's per language."""
    if not mlqa:
        s = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
        s = re.sub(r"\b(a|an|the)\b", " ", s)
        return s.split()
    if lang not in MLQA_ARTICLES:
        raise StiltsError(f"MLQA normalisation is defined for {', '.join(MLQA_ARTICLES)}, not {lang!r}")
    s = "".join(ch for ch in text.lower() if ch not in PUNCT)
    if MLQA_ARTICLES[lang]:
        s = re.sub(MLQA_ARTICLES[lang], " ", s)
    s = " ".join(s.split())
    return _mixed_segmentation(s) if lang == "zh" else s.split()


def _f1(pred: list[str], gold: list[str]) -> float:
    """SQuAD's and MLQA's `f1_score`: no common token scores 0, even when both answers normalise to nothing."""
    same = sum((collections.Counter(pred) & collections.Counter(gold)).values())
    if same == 0:
        return 0.0
    p, r = same / len(pred), same / len(gold)
    return 2 * p * r / (p + r)


def qa_scores(preds: list[str], refs: list[list[str]], lang: str = "en", mlqa: bool = False) -> dict[str, float]:
    f1 = em = 0.0
    for p, golds in zip(preds, refs):
        pt = normalize(p, lang, mlqa)
        f1 += max((_f1(pt, normalize(g, lang, mlqa)) for g in golds), default=0.0)
        em += max((float(pt == normalize(g, lang, mlqa)) for g in golds), default=0.0)
    n = max(len(refs), 1)
    return {"f1": 100 * f1 / n, "exact_match": 100 * em / n}


_ENDS_AFTER = {("B", "B"), ("B", "S"), ("B", "O"), ("I", "B"), ("I", "S"), ("I", "O")}
_STARTS_AT = {("E", "E"), ("E", "I"), ("S", "E"), ("S", "I"), ("O", "E"), ("O", "I")}


def chunks_0012(labels: list[str]) -> list[tuple[str, int, int]]:
    """seqeval 0.0.12's `get_entities` of one label sequence: (type, first, last). A label's first character is
    its position tag and the text after its last '-' its type, so bare UD tags keep their whole name as type
    (CCONJ and SCONJ differ, X is a type like any other) and their first letter acts as a tag (SCONJ, SYM: S;
    INTJ: I); runs of one other tag merge into one chunk."""
    chunks, prev_tag, prev_type, begin = [], "O", "", 0
    for i, label in enumerate([*labels, "O"]):
        tag, type_ = label[0], label.split("-")[-1]
        new_type = prev_type != type_
        if prev_tag in ("E", "S") or (prev_tag, tag) in _ENDS_AFTER or (prev_tag not in ("O", ".") and new_type):
            chunks.append((prev_type, begin, i - 1))
        if tag in ("B", "S") or (prev_tag, tag) in _STARTS_AT or (tag not in ("O", ".") and new_type):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def _corpus_chunks(seqs: list[list[str]]) -> dict[tuple[str, int, int], int]:
    """Chunks of a corpus as seqeval 0.0.12 reads nested lists (sentences joined with an 'O' after each, offsets
    over the whole corpus), each mapped to the sentence it ends in: per-sentence counts then sum to the corpus's."""
    flat, owner = [], []
    for n, seq in enumerate(seqs):
        flat += [*seq, "O"]
        owner += [n] * (len(seq) + 1)
    return {c: owner[c[2]] for c in chunks_0012(flat)}


def _span_counts(preds: list, refs: list, lang: str = "en") -> np.ndarray:
    """(true positives, predicted chunks, gold chunks) per sentence, from the corpus's chunks as seqeval 0.0.12's
    `f1_score` finds them, so the sums are its counts."""
    pairs = list(zip(preds, refs))
    pred, gold = _corpus_chunks([list(p) for p, _ in pairs]), _corpus_chunks([list(r) for _, r in pairs])
    rows = np.zeros((len(pairs), 3))
    for c, n in pred.items():
        rows[n, 0] += c in gold
        rows[n, 1] += 1
    for n in gold.values():
        rows[n, 2] += 1
    return rows


def seqeval_scores(preds: list[list[str]], refs: list[list[str]]) -> dict[str, float]:
    """XTREME's `f1` (evaluate.py): seqeval 0.0.12's micro F1, precision and recall over chunks, in %."""
    tp, n_pred, n_gold = _span_counts(preds, refs).sum(0)
    p = tp / n_pred if n_pred > 0 else 0.0
    r = tp / n_gold if n_gold > 0 else 0.0
    return {"f1": 100 * (2 * p * r / (p + r) if p + r > 0 else 0.0), "precision": 100 * p, "recall": 100 * r}


def seqeval_f1(preds: list[list[str]], refs: list[list[str]]) -> float:
    return seqeval_scores(preds, refs)["f1"]


def average_precision_at(ranked: list[str], gold: set[str], k: int = 20) -> float:
    """LAReQA's `average_precision_at_k`: the first k ranks; an id seen at an earlier rank holds its rank but is
    no second hit; divided by min(#gold, k)."""
    hits, total, seen = 0, 0.0, set()
    for i, c in enumerate(ranked[:k], start=1):
        if c in gold and c not in seen:
            hits += 1
            total += hits / i
        seen.add(c)
    return total / min(len(gold), k) if gold else 0.0


def bucc_optimize(candidates: list[tuple[str, str, float]], gold: set[tuple[str, str]]) -> tuple[float, float]:
    """XTREME's `bucc_optimize`: scan candidates by descending score (stable) for the best F1 against gold; the
    threshold is the midpoint between that candidate's score and the next one's, 0 while no candidate is gold.
    Where the best is the last candidate XTREME fails (no next one); we take its score, keeping every candidate.
    Returns (threshold, best F1 in %)."""
    ranked = sorted(candidates, key=lambda c: -c[2])
    tp, best_f1, threshold = 0, 0.0, 0.0
    for i, (s, t, score) in enumerate(ranked):
        tp += (s, t) in gold
        if not tp:
            continue
        precision, recall = tp / (i + 1), tp / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            threshold = (score + ranked[i + 1][2]) / 2 if i + 1 < len(ranked) else score
    return threshold, 100 * best_f1


def bucc_f1(pairs: set[tuple[str, str]], gold: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(pairs & gold)
    p = tp / max(len(pairs), 1)
    r = tp / max(len(gold), 1)
    return {"f1": 100 * (2 * p * r / (p + r) if tp else 0.0), "precision": 100 * p, "recall": 100 * r}


def _correct(preds: list, refs: list, lang: str = "en") -> np.ndarray:
    return np.array([[float(p == r)] for p, r in zip(preds, refs)]).reshape(-1, 1)


def _token_correct(preds: list, refs: list, lang: str = "en") -> np.ndarray:
    return np.array([[sum(p == r for p, r in zip(ps, rs)), len(rs)] for ps, rs in zip(preds, refs)],
                    dtype=float).reshape(-1, 2)


def _qa_rows(mlqa: bool) -> Callable[..., np.ndarray]:
    def rows(preds: list[str], refs: list[list[str]], lang: str = "en") -> np.ndarray:
        scores = [qa_scores([p], [g], lang, mlqa) for p, g in zip(preds, refs)]
        return np.array([[s["f1"] / 100, s["exact_match"] / 100] for s in scores], dtype=float).reshape(-1, 2)
    return rows


def _ap_rows(preds: list, refs: list, lang: str = "en") -> np.ndarray:
    return np.array([[average_precision_at(r, set(g))] for r, g in zip(preds, refs)], dtype=float).reshape(-1, 1)


def _mean_of_first(sums: np.ndarray, n: np.ndarray) -> np.ndarray:
    return 100.0 * sums[..., 0] / np.maximum(n, 1)


def _ratio(sums: np.ndarray, n: np.ndarray) -> np.ndarray:
    return 100.0 * sums[..., 0] / np.maximum(sums[..., 1], 1)


def _span_f1(sums: np.ndarray, n: np.ndarray) -> np.ndarray:
    return 100.0 * 2 * sums[..., 0] / np.maximum(sums[..., 1] + sums[..., 2], 1)


def _qa_leaderboard(sums: np.ndarray, n: np.ndarray) -> np.ndarray:
    return 100.0 * (sums[..., 0] + sums[..., 1]) / 2 / np.maximum(n, 1)


@dataclass(frozen=True)
class Metric:
    name: str
    fn: Callable[..., dict[str, float]]   # (preds, refs, lang) -> {main, ...}
    higher_is_better: bool = True
    per_example: Callable[..., np.ndarray] | None = None   # (preds, refs, lang) -> n x c statistics
    combine: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None  # (sums ... x c, n) -> leaderboard score
    leaderboard: str = ""                 # what `combine` reports, when it differs from the main score

    def main(self, preds: list, refs: list, lang: str = "en") -> float:
        return next(iter(self.fn(preds, refs, lang).values()))


def _acc(preds: list, refs: list, lang: str = "en") -> dict[str, float]:
    return {"accuracy": 100.0 * sum(p == r for p, r in zip(preds, refs)) / max(len(refs), 1)}


def _token_acc(preds: list, refs: list, lang: str = "en") -> dict[str, float]:
    pairs = [(p, r) for ps, rs in zip(preds, refs) for p, r in zip(ps, rs)]
    return {"token_accuracy": 100.0 * sum(p == r for p, r in pairs) / max(len(pairs), 1)}


METRICS = Registry("metric")   # factory: the scorer; meta: the Metric fields below it (per_example, combine, ...)


def _add(name: str, fn: Callable[..., dict[str, float]], doc: str, **meta: Any) -> None:
    METRICS.add(Entry(name, fn, doc=doc, meta=meta))


_add("accuracy", _acc, "share of exact matches (XNLI, PAWS-X, XCOPA)", per_example=_correct, combine=_mean_of_first)
_add("token_accuracy", _token_acc, "share of tokens tagged right", per_example=_token_correct, combine=_ratio)
_add("seqeval_f1", lambda p, r, lang="en": seqeval_scores(p, r), "seqeval 0.0.12 span F1 (WikiANN/PAN-X)",
     per_example=_span_counts, combine=_span_f1)
_add("pos_f1", lambda p, r, lang="en": seqeval_scores(p, r), "seqeval F1 over bare UD tags, as XTREME scores UD-POS",
     per_example=_span_counts, combine=_span_f1)
_add("squad_f1_em", lambda p, r, lang="en": qa_scores(p, r, lang, mlqa=False), "SQuAD v1.1 F1/EM (XQuAD, TyDiQA)",
     per_example=_qa_rows(False), combine=_qa_leaderboard, leaderboard="(F1 + EM) / 2")
_add("mlqa_f1_em", lambda p, r, lang="en": qa_scores(p, r, lang, mlqa=True), "MLQA F1/EM, per-language normalisation",
     per_example=_qa_rows(True), combine=_qa_leaderboard, leaderboard="(F1 + EM) / 2")
_add("retrieval_accuracy", lambda p, r, lang="en": {"accuracy": _acc(p, r)["accuracy"]}, "Tatoeba top-1 accuracy",
     per_example=_correct, combine=_mean_of_first)
_add("map_at_20", lambda p, r, lang="en": {"map@20": 100 * sum(
    average_precision_at(ranked, set(gold)) for ranked, gold in zip(p, r)) / max(len(r), 1)},
     "mean AP@20 (LAReQA; MRR@20 with one gold: Mewsli-X)", per_example=_ap_rows, combine=_mean_of_first)
_add("bucc_f1", lambda p, r, lang="en": bucc_f1(set(p), set(r)), "F1 of mined pairs (BUCC; no per-example split)")


@functools.lru_cache(maxsize=None)
def get_metric(name: str) -> Metric:
    """The metric's entry as one typed object (its scorer and its bootstrap statistics)."""
    entry = METRICS.get(name)
    return Metric(entry.name, entry.load(), **entry.meta)


def compute(name: str, preds: list, refs: list, lang: str = "en") -> dict[str, float]:
    return get_metric(name).fn(preds, refs, lang)


def task_score(name: str, scores: dict[str, float]) -> float:
    """The one number per language that `stilts eval` tables and `stilts compare` (via `combine`) both report:
    (F1 + EM) / 2 for QA, as XTREME's evaluate.py averages QA tasks (`avg_metric`), else the main score."""
    if get_metric(name).combine is _qa_leaderboard:
        return (scores["f1"] + scores["exact_match"]) / 2
    return next(iter(scores.values()))
