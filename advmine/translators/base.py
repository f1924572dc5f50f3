"""What every translator provides. A translator turns English texts into one target language; caching,
batch ordering across rows and provenance are the translate step's job, not the translator's."""
from __future__ import annotations

from typing import Protocol


class Translator(Protocol):
    name: str
    word_level: bool          # translates word by word, so token labels stay aligned (tagging tasks)

    def model_id(self, tgt: str) -> str:
        """The id recorded in the cache key and in each row's provenance (hub id, local dir or lexicon id)."""

    def translate(self, texts: list[str], tgt: str, src: str = "en") -> list[str]:
        """One output per input, same order."""

    def coverage(self, texts: list[str], tgt: str) -> dict[str, int] | None:
        """Word coverage counts ({"words", "covered"}) for dictionary-style translators, else None."""
