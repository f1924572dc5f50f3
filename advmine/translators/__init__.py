"""Translator registry: one entry per translator; `--translator NAME` picks one. Factories are named as
"module:attr" so that listing translators imports neither torch nor the lexicon readers. marian, nllb and
m2m100 run on `translator.backend` (generate or ctranslate2: advmine.translators.seq2seq.BACKENDS), an option
rather than more entries here, since the language handling is the family's and the same for both backends."""
from __future__ import annotations

from advmine.translators.base import Translator
from advmine.translators.config import TranslatorConfig
from stilts.core.registry import Entry, Registry

TRANSLATORS = Registry("translator")
for _entry in [
    Entry("identity", "advmine.translators.identity:IdentityTranslator", TranslatorConfig,
          doc="the English-only control: the source text itself"),
    Entry("dictionary", "advmine.translators.dictionary:DictionaryTranslator", TranslatorConfig,
          doc="offline word/phrase lookup in kit lexicons, translator.lexicon_dirs and FreeDict"),
    Entry("apertium", "advmine.translators.apertium:ApertiumTranslator", TranslatorConfig,
          doc="Debian's Apertium rule-based MT (eng-spa, eng-cat, en-gl), offline"),
    Entry("reference", "advmine.translators.reference:ReferenceTranslator", TranslatorConfig,
          doc="the oracle: human translations from a parallel benchmark (translator.reference=xnli|pawsx|tatoeba)"),
    Entry("marian", "advmine.translators.seq2seq:MarianTranslator", TranslatorConfig,
          doc="Helsinki-NLP opus-mt, one model per language pair", meta={"backends": True}),
    Entry("nllb", "advmine.translators.seq2seq:NllbTranslator", TranslatorConfig,
          doc="NLLB-200, one many-to-many model", meta={"backends": True}),
    Entry("m2m100", "advmine.translators.seq2seq:M2M100Translator", TranslatorConfig,
          doc="M2M-100, one many-to-many model", meta={"backends": True}),
]:
    TRANSLATORS.add(_entry)


def make_translator(cfg: TranslatorConfig) -> Translator:
    return TRANSLATORS.make(cfg.name, cfg)


def check_backend_options(cfg: TranslatorConfig) -> None:
    """`backend` and `compute_type` run a neural model; on a translator without one they would be ignored."""
    from stilts.core.errors import StiltsError

    if not TRANSLATORS.get(cfg.name).meta.get("backends") and (cfg.backend != "generate" or cfg.compute_type != "auto"):
        with_backends = ", ".join(n for n in TRANSLATORS if TRANSLATORS.get(n).meta.get("backends"))
        raise StiltsError(f"translator.backend / translator.compute_type apply to {with_backends}; the {cfg.name} "
                          "translator runs no model (drop them, or pick one of those translators)")
