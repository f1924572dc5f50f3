"""Translation quality as MT research reports it: chrF++ and BLEU (sacrebleu) against human references where a
parallel benchmark holds them (advmine.parallel), the English source's own score against the same references
(the copy baseline: what no translation at all would score), and, where no reference exists, a round trip
through the translator's reverse direction scored against the English source.

BLEU's tokenizer follows the script, as sacrebleu's and XTREME's practice is: `zh` for Chinese, `ja-mecab` for
Japanese where MeCab is installed (else `char`), `char` for Thai, Lao, Khmer and Burmese (written without
spaces, and no word segmenter is applied), `13a` otherwise. chrF++ (character 6-grams plus word 2-grams) needs no
tokenizer, and is the headline figure: BLEU on single sentences and word-by-word output is mostly zeros."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

UNSPACED = {"th", "lo", "km", "my"}


@dataclass(frozen=True)
class QualityConfig:
    mode: Literal["flag", "drop", "off"] = "flag"   # flag: quality_ok column; drop: rows below the floor go
    references: str | list[str] = "auto"            # parallel benchmarks scored against (advmine.parallel)
    floor: str | float = "copy"                      # copy: below = no better than the untranslated source
    roundtrip: bool = True                           # score a round trip where no reference exists


@functools.lru_cache(maxsize=None)
def _mecab() -> bool:
    try:
        from sacrebleu.metrics import BLEU
        BLEU(tokenize="ja-mecab").corpus_score(["テスト"], [["テスト"]])
        return True
    except Exception:   # sacrebleu raises its own errors for a missing MeCab or dictionary
        return False


def bleu_tokenizer(lang: str) -> str:
    if lang == "zh":
        return "zh"
    if lang == "ja":
        return "ja-mecab" if _mecab() else "char"
    if lang == "ko":
        return "ko-mecab" if _mecab() else "13a"
    return "char" if lang in UNSPACED else "13a"


@functools.lru_cache(maxsize=None)
def _chrf():
    from sacrebleu.metrics import CHRF
    return CHRF(word_order=2)


@functools.lru_cache(maxsize=None)
def _bleu(tokenize: str):
    from sacrebleu.metrics import BLEU
    return BLEU(tokenize=tokenize, effective_order=True)


def corpus_scores(hyps: list[str], refs: list[str], lang: str) -> dict:
    """Corpus chrF++ and BLEU of `hyps` against one reference each; the tokenizer and signature said."""
    if not hyps:
        return {"segments": 0}
    tok = bleu_tokenizer(lang)
    bleu = _bleu(tok)
    return {"segments": len(hyps), "chrf": round(_chrf().corpus_score(hyps, [refs]).score, 2),
            "bleu": round(bleu.corpus_score(hyps, [refs]).score, 2), "bleu_tokenize": tok,
            "chrf_signature": str(_chrf().get_signature()), "bleu_signature": str(bleu.get_signature())}


def row_chrf(hyps: list[str], refs: list[str]) -> float:
    """chrF++ of one row: its texts (premise and hypothesis) scored together as a two-segment corpus."""
    return round(_chrf().corpus_score(hyps, [refs]).score, 2)


def below_floor(score: float | None, copy_score: float | None, floor: str | float) -> bool | None:
    """Whether a row's score is below the floor; None when it cannot be judged (no score, or the copy floor
    without a copy score: a round trip of a copy is a copy, so only a number judges round trips)."""
    if score is None:
        return None
    if floor == "copy":
        return None if copy_score is None else bool(score <= copy_score and score < 100)
    return bool(score < float(floor))


def check_floor(floor: str | float) -> None:
    from stilts.core.errors import StiltsError

    if floor == "copy":
        return
    try:
        value = float(floor)
    except (TypeError, ValueError):
        raise StiltsError(f"quality.floor {floor!r}: 'copy' or a chrF++ score in 0..100") from None
    if not 0 <= value <= 100:
        raise StiltsError(f"quality.floor {value}: a chrF++ score is in 0..100")
