"""Translation adequacy without references: the cosine between the multilingual sentence vectors of each source
text and its translation (the vectors the embed step computed), plus how much English a row kept.

A row's adequacy is its worst text's cosine (an NLI pair with a broken hypothesis has lost its label). The
floor is calibrated per language instead of fixed, because e5's cosines are compressed (unrelated sentences
score about 0.7-0.8) and differ by script: it is the 95th percentile of the cosine between source texts and the
translations of *other*, randomly paired rows of the same language. A row below it is no closer to its source
than one unrelated pair in twenty, so its translation cannot be trusted to say what the source said. Word-by-word
output that keeps English words scores high on cosine (the words are the source's), which is why the share of
English words kept is reported beside it."""
from __future__ import annotations

import re

import numpy as np

FLOOR_QUANTILE = 0.95
_WORD = re.compile(r"[^\W\d_]{2,}")


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def text_pairs(rows: list[dict], sources: list[dict | None], texts_of) -> tuple[list[int], list[str], list[str]]:
    """(owner row, source text, row text) for every positional text pair of rows whose source is known."""
    owner, src, tgt = [], [], []
    for i, (r, s) in enumerate(zip(rows, sources)):
        if s is None:
            continue
        a, b = texts_of(s), texts_of(r)
        for x, y in zip(a, b) if len(a) == len(b) else ():
            owner.append(i)
            src.append(x)
            tgt.append(y)
    return owner, src, tgt


def adequacy(rows: list[dict], sources: list[dict | None], texts_of, stack, seed: int) -> tuple[np.ndarray, float]:
    """Per-row adequacy (NaN without a source) and the language's calibrated floor. `stack(texts)` gives one
    vector per text."""
    owner, src, tgt = text_pairs(rows, sources, texts_of)
    out = np.full(len(rows), np.nan)
    if not owner:
        return out, float("nan")
    u, v = _unit(stack(src)), _unit(stack(tgt))
    cos = (u * v).sum(1)
    for i, c in zip(owner, cos):
        out[i] = c if np.isnan(out[i]) else min(out[i], c)
    perm = np.random.default_rng(seed).permutation(len(v))
    same = perm == np.arange(len(v))
    perm[same] = (perm[same] + 1) % len(v)   # never a text with its own translation
    null = (u * v[perm]).sum(1)
    return out, float(np.quantile(null, FLOOR_QUANTILE)) if len(v) > 1 else float("nan")


def english_kept(rows: list[dict], sources: list[dict | None], texts_of) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the share of its words that are words of its English source (dictionary misses left as they
    were), and whether every text is identical to the source's (left untranslated)."""
    kept, same = np.full(len(rows), np.nan), np.zeros(len(rows), dtype=bool)
    for i, (r, s) in enumerate(zip(rows, sources)):
        if s is None:
            continue
        a, b = texts_of(s), texts_of(r)
        src_words = {w.lower() for t in a for w in _WORD.findall(t)}
        words = [w.lower() for t in b for w in _WORD.findall(t)]
        kept[i] = sum(w in src_words for w in words) / len(words) if words else 0.0
        same[i] = a == b
    return kept, same
