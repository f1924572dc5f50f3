"""What every translator provides. A translator turns English texts into one target language; caching,
batch ordering across rows and provenance are the translate step's job, not the translator's."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Translator(Protocol):
    name: str
    word_level: bool          # translates word by word, so token labels stay aligned (tagging tasks)

    def model_id(self, tgt: str) -> str:
        """The id recorded in each row's provenance (hub id, local dir or lexicon id)."""

    def translate(self, texts: list[str], tgt: str, src: str = "en") -> list[str]:
        """One output per input, same order."""

    def coverage(self, texts: list[str], tgt: str) -> dict[str, int] | None:
        """Word coverage counts ({"words", "covered"}) for dictionary-style translators, else None."""


def translator_inputs(translator: Translator, tgt: str) -> list[Path]:
    """The local files a translator reads for `tgt` (a translator without any need not define `inputs`):
    the translate step's key follows their content."""
    inputs = getattr(translator, "inputs", None)
    return list(inputs(tgt)) if inputs else []


def cache_id(translator: Translator, tgt: str) -> str:
    """The model's identity in the persistent translation cache: `model_id`, unless the translator names its
    outputs more precisely (`cache_id`: the dictionary translator adds its lexicons' content hash, so an edited
    lexicon is translated afresh while the rows' provenance keeps the readable id)."""
    own = getattr(translator, "cache_id", None)
    return own(tgt) if own else translator.model_id(tgt)


def can_translate_back(translator: Translator, lang: str) -> bool:
    """Whether the translator also reads `lang` into English (apertium spa-eng, FreeDict swh-eng, a
    many-to-many model): then the quality step scores a round trip where no human reference exists. A
    translator offers it by defining `can_translate_back(lang)` and `translate_back(texts, lang)`."""
    own = getattr(translator, "can_translate_back", None)
    return bool(own and own(lang))


def back_cache_id(translator: Translator, lang: str) -> str:
    """The reverse direction's identity in the translation cache: its own `back_cache_id` (apertium: the reverse
    mode's files), else the forward `cache_id` marked as the way back."""
    own = getattr(translator, "back_cache_id", None)
    return own(lang) if own else cache_id(translator, lang) + ":back"


def translate_back(translator: Translator, texts: list[str], lang: str) -> list[str]:
    """`texts` in `lang` translated into English by the translator's reverse direction (one output per input)."""
    return translator.translate_back(texts, lang)   # type: ignore[attr-defined]
