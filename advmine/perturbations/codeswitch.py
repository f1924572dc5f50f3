"""Code-switching in the style of CoSDA-ML (Qin et al. 2020): a `ratio` of the words of an English sentence
is replaced by dictionary translations into randomly chosen target languages. The sentence stays English in
structure; switched words are looked up phrase-free, word by word, in the same dictionaries as the
`dictionary` translator (kit lexicons, FreeDict), and words written without spaces (th, zh) are inserted as
single tokens. Applies to English rows: `advmine build` feeds it the English source of every example."""
from __future__ import annotations

import hashlib
import random
from typing import Any

from advmine.config import TranslatorConfig
from advmine.perturbations import Entry, register
from advmine.scripts import is_word, join_words, split_words

WHY = "a word replaced by its translation keeps the sentence's meaning (CoSDA-ML's premise)"


class CodeSwitch:
    def __init__(self, params: dict[str, Any], langs: list[str], src_lang: str):
        from advmine.translators.dictionary import DictionaryTranslator

        self.params, self.src = params, src_lang
        self.targets = [x for x in (params["langs"] or langs) if x != src_lang]
        self.dictionary = DictionaryTranslator(TranslatorConfig())

    english_only = True

    def applies_to(self, lang: str) -> bool:
        return lang == self.src

    def perturb(self, text: str, variant: int, seed: int) -> str:
        digest = hashlib.sha256(f"codeswitch|{variant}|{seed}|{text}".encode()).digest()
        rng = random.Random(int.from_bytes(digest[:8], "little"))
        words = split_words(text, self.src)
        out = []
        for w in words:
            if is_word(w) and rng.random() < self.params["ratio"] and self.targets:
                lang = rng.choice(self.targets)
                piece, covered, _ = self.dictionary._lookup([w], lang)[0]
                out.append(piece if covered and piece else w)
            else:
                out.append(w)
        return join_words(out, self.src)


register(Entry("codeswitch", lambda params, langs, src: CodeSwitch(params, langs, src),
               {"ratio": 0.3, "side": "both", "n": 1, "langs": []}, WHY, family="dictionary"))
