"""The translator's options (`translator:` in a build config), beside the translators that read them, so that
nothing under advmine.translators, perturbations or selectors needs the whole build config."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TranslatorConfig:
    name: str = "dictionary"               # a registry entry: identity, dictionary, marian, nllb, m2m100
    model_id: str | None = None            # hub id or local dir; may use {lang} (Marian: one model per pair)
    max_tokens: int = 4096                 # token budget per batch (length-sorted batches)
    num_beams: int = 1                     # 1 = greedy
    max_new_tokens: int = 256
    dtype: str = "auto"                    # auto: bf16 on GPU (fp16 where bf16 is unsupported), fp32 on CPU
    lexicon_dirs: list[str] = field(default_factory=list)  # extra en-xx.tsv lexicons for `dictionary`
    freedict: bool = True                  # also read Debian FreeDict dictionaries where installed
