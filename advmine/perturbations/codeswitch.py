"""Code-switching in the style of CoSDA-ML (Qin et al. 2020): a `ratio` of the words of an English sentence
is replaced by dictionary translations into randomly chosen target languages. The sentence stays English in
structure; switched words are looked up phrase-free, word by word, in the same dictionaries as the
`dictionary` translator with the build's own settings (translator.lexicon_dirs, kit lexicons, FreeDict
unless translator.freedict is off), and words written without spaces (th, zh) are inserted as
single tokens. Applies to English rows: `advmine build` feeds it the English source of every example."""
from __future__ import annotations

import dataclasses
import hashlib
import random

from advmine.perturbations import CodeSwitchParams
from advmine.scripts import is_word, join_words, split_words
from advmine.translators.config import TranslatorConfig


class CodeSwitch:
    def __init__(self, params: CodeSwitchParams, langs: list[str], src_lang: str, translator: TranslatorConfig):
        """`translator`: the build's settings, so its `lexicon_dirs` and `freedict` choice apply here too."""
        from advmine.translators.dictionary import DictionaryTranslator

        self.params, self.src = params, src_lang
        self.targets = [x for x in (params.langs or langs) if x != src_lang]
        self.dictionary = DictionaryTranslator(dataclasses.replace(translator, name="dictionary"))

    english_only = True

    def applies_to(self, lang: str) -> bool:
        return lang == self.src

    def perturb(self, text: str, variant: int, seed: int) -> str:
        digest = hashlib.sha256(f"codeswitch|{variant}|{seed}|{text}".encode()).digest()
        rng = random.Random(int.from_bytes(digest[:8], "little"))
        words = split_words(text, self.src)
        out = []
        for w in words:
            if is_word(w) and rng.random() < self.params.ratio and self.targets:
                lang = rng.choice(self.targets)
                piece, covered, _ = self.dictionary.lookup([w], lang)[0]
                out.append(piece if covered and piece else w)
            else:
                out.append(w)
        return join_words(out, self.src)

