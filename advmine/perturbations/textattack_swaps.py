"""TextAttack transformations under TextAttack constraints (no repeated modification, stopwords kept, at most
`pct` of the words changed), imported lazily: character swaps, QWERTY typos, homoglyphs, WordNet synonyms.

Each distinct text is perturbed once per (method, parameters, variant), with its own RNG seeded from the text,
so results do not depend on row order and repeated texts (MNLI premises) cost nothing twice. The Augmenter's loop
runs through `fast_augment.FastAugmenter`: the same outputs and draws, without building every candidate text.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import random

import numpy as np

from advmine.perturbations import SwapParams
from advmine.perturbations.fast_augment import FastAugmenter
from advmine.scripts import NO_SPACE_LANGS
from advmine.translators.config import TranslatorConfig
from stilts.core.errors import StiltsError


@functools.lru_cache(maxsize=1)
def _textattack():
    """Import TextAttack with the project's offline NLTK data; its import-time download attempts stay quiet."""
    from advmine.nltk_data import ensure, nltk_data_dir

    ensure()
    os.environ.setdefault("NLTK_DATA", str(nltk_data_dir()))
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        import textattack  # noqa: F401
    return textattack


def _sorted_wordnet(T):
    """TextAttack's WordNet swap returns `list(set(synonyms))`, whose order follows Python's per-process string
    hash seed, so the same seed gave different outputs (and dataset fingerprints) in every new process. Sorted, the
    candidates and hence every draw are the same in every process; nothing else changes."""

    class SortedWordSwapWordNet(T.WordSwapWordNet):
        def _get_replacement_words(self, word, random=False):
            return sorted(super()._get_replacement_words(word, random))

    return SortedWordSwapWordNet


def _transformation(method: str):
    _textattack()
    from textattack import transformations as T

    if method == "wordnet":
        from advmine.nltk_data import has_wordnet
        if not has_wordnet():
            raise StiltsError("perturbation wordnet needs WordNet: apt-get install wordnet-base wordnet-sense-index,"
                              " then python -m advmine.nltk_data (make setup does both)")
        return _sorted_wordnet(T)(language="eng")
    if method == "homoglyph":
        try:
            return T.WordSwapHomoglyphSwap()
        except (FileNotFoundError, OSError) as e:
            raise StiltsError(f"perturbation homoglyph is broken in this TextAttack wheel ({type(e).__name__}: its "
                              "intentional_homoglyphs.txt is missing from textattack 0.3.11); use char-swap or "
                              "qwerty") from None
    table = {"char-swap": T.WordSwapNeighboringCharacterSwap, "char-delete": T.WordSwapRandomCharacterDeletion,
             "char-insert": T.WordSwapRandomCharacterInsertion, "char-substitute": T.WordSwapRandomCharacterSubstitution,
             "qwerty": T.WordSwapQWERTY}
    return table[method]()


@functools.lru_cache(maxsize=1)
def _stopwords() -> set[str]:
    """English stopwords in every casing a sentence shows them in ('The' as well as 'the')."""
    import stopwordsiso

    words = set(stopwordsiso.stopwords("en"))
    return words | {w.capitalize() for w in words} | {w.upper() for w in words}


class TextAttackPerturbation:
    def __init__(self, method: str, params: SwapParams, langs: list[str]):
        _textattack()  # first: sets NLTK_DATA and silences TextAttack's import-time download attempts
        from textattack.augmentation import Augmenter
        from textattack.constraints.pre_transformation import RepeatModification, StopwordModification

        self.method, self.params = method, params
        self.langs = set(params.langs or langs)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            transformation = _transformation(method)  # WordNet's constructor tries nltk.download too
        self.augmenter = Augmenter(transformation=transformation,
                                   constraints=[RepeatModification(), StopwordModification(stopwords=_stopwords())],
                                   pct_words_to_swap=params.pct, transformations_per_example=1)
        self.fast = FastAugmenter(self.augmenter)

    @property
    def english_only(self) -> bool:
        return self.langs == {"en"}

    def applies_to(self, lang: str) -> bool:
        return lang in self.langs

    def perturb(self, text: str, variant: int, seed: int) -> str:
        """The perturbed text (or the text itself when no word may change)."""
        digest = hashlib.sha256(f"{self.method}|{variant}|{seed}|{text}".encode()).digest()
        random.seed(int.from_bytes(digest[:8], "little"))  # TextAttack draws from both global RNGs
        np.random.seed(int.from_bytes(digest[8:12], "little"))
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            out = self.fast.augment(text)  # NLTK may try (and fail) to download omw-1.4 here
        return out[0] if out else text


def _make(method: str, default_langs: str):
    def make(params: SwapParams, langs: list[str], src_lang: str,
             translator: TranslatorConfig) -> TextAttackPerturbation:
        if default_langs == "en":
            chosen = ["en"]
        else:  # character noise needs word boundaries: not for scripts written without spaces
            chosen = [x for x in [src_lang, *langs] if x not in NO_SPACE_LANGS]
        return TextAttackPerturbation(method, params, chosen)
    make.__name__ = method.replace("-", "_")
    return make


# The registry's factories: advmine.perturbations names each "textattack_swaps:<method, '-' as '_'>".
char_swap = _make("char-swap", "latin")
char_delete = _make("char-delete", "latin")
char_insert = _make("char-insert", "latin")
char_substitute = _make("char-substitute", "latin")
qwerty = _make("qwerty", "latin")
homoglyph = _make("homoglyph", "latin")
wordnet = _make("wordnet", "en")
