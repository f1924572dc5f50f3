"""The English-only control condition: the 'translation' is the source text itself."""
from __future__ import annotations

from advmine.translators.config import TranslatorConfig


class IdentityTranslator:
    name = "identity"
    word_level = True

    def __init__(self, cfg: TranslatorConfig):
        self.cfg = cfg

    def model_id(self, tgt: str) -> str:
        return "identity"

    def translate(self, texts: list[str], tgt: str, src: str = "en") -> list[str]:
        return list(texts)

    def coverage(self, texts: list[str], tgt: str) -> dict[str, int] | None:
        return None
