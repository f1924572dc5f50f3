"""TextAttack's `Augmenter.augment` for one output per text, without building every candidate text.

With `transformations_per_example=1` and only pre-transformation constraints, the Augmenter spends ~90% of its
time turning every (word, replacement) candidate of every step into an `AttackedText`, only to keep one with
`random.choice`. Here candidates stay (index, replacement) pairs in the same order, the same `random.choice`
draws from a list of the same length, and only the chosen pair becomes an `AttackedText` (TextAttack's own
`replace_word_at_index`), so the output and the global RNG state match the Augmenter draw for draw.
Transformations that call themselves deterministic (WordNet) look each word's replacements up once per instance.
Anything else (other transformations, post-transformation constraints, several outputs) uses the Augmenter.
"""
from __future__ import annotations

import random
from typing import Any


class FastAugmenter:
    """Wraps a TextAttack `Augmenter`; `augment(text)` returns what `augmenter.augment(text)` would."""

    def __init__(self, augmenter: Any):
        from textattack.transformations import WordSwap

        self.augmenter = augmenter
        t = augmenter.transformation
        self.exact = (isinstance(t, WordSwap) and type(t)._get_transformations is WordSwap._get_transformations
                      and augmenter.transformations_per_example == 1 and not augmenter.constraints
                      and not (augmenter.high_yield or augmenter.fast_augment or augmenter.advanced_metrics))
        # Random transformations draw from the RNGs per call: never cached, or later draws would shift.
        self._replacements: dict[str, list[str]] | None = {} if t.deterministic else None

    def _replacement_words(self, word: str) -> list[str]:
        cache = self._replacements
        if cache is None:
            return self.augmenter.transformation._get_replacement_words(word)
        if word not in cache:
            cache[word] = self.augmenter.transformation._get_replacement_words(word)
        return cache[word]

    def augment(self, text: str) -> list[str]:
        """The Augmenter's loop (augmenter.py, first attempt: with one output per text it never needs a second)."""
        aug = self.augmenter
        if not self.exact:
            return aug.augment(text)
        from textattack.shared import AttackedText

        current = AttackedText(text)
        to_swap = max(int(aug.pct_words_to_swap * len(current.words)), 1)
        swapped = len(current.attack_attrs["modified_indices"])
        while swapped < to_swap:
            # The same index set, in the same iteration order, as Transformation.__call__ computes.
            indices = aug.transformation(current, aug.pre_transformation_constraints, return_indices=True)
            words = current.words
            candidates = [(i, r) for i in indices for r in self._replacement_words(words[i]) if r != words[i]]
            if not candidates:
                break
            i, r = random.choice(candidates)
            current = current.replace_word_at_index(i, r)
            swapped = max(len(current.attack_attrs["modified_indices"]), swapped + 1)
        return [current.printable_text()]
