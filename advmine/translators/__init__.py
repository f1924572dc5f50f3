"""Translator registry: one entry per translator; `--translator NAME` picks one."""
from __future__ import annotations

from collections.abc import Callable

from advmine.config import TranslatorConfig
from advmine.translators.base import Translator
from stilts.core.errors import unknown


def _identity(cfg: TranslatorConfig) -> Translator:
    from advmine.translators.identity import IdentityTranslator
    return IdentityTranslator(cfg)


def _dictionary(cfg: TranslatorConfig) -> Translator:
    from advmine.translators.dictionary import DictionaryTranslator
    return DictionaryTranslator(cfg)


def _hf(kind: str) -> Callable[[TranslatorConfig], Translator]:
    def make(cfg: TranslatorConfig) -> Translator:
        from advmine.translators.seq2seq import SEQ2SEQ
        return SEQ2SEQ[kind](cfg)
    return make


TRANSLATORS: dict[str, Callable[[TranslatorConfig], Translator]] = {
    "identity": _identity,
    "dictionary": _dictionary,
    "marian": _hf("marian"),
    "nllb": _hf("nllb"),
    "m2m100": _hf("m2m100"),
}


def make_translator(cfg: TranslatorConfig) -> Translator:
    if cfg.name not in TRANSLATORS:
        raise unknown("translator", cfg.name, sorted(TRANSLATORS))
    return TRANSLATORS[cfg.name](cfg)
