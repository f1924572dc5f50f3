"""The translator's options (`translator:` in a build config), beside the translators that read them, so that
nothing under advmine.translators, perturbations or selectors needs the whole build config."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class TranslatorConfig:
    name: str = "dictionary"               # a registry entry: identity, dictionary, apertium, reference, marian, ...
    model_id: str | None = None            # hub id or local dir; may use {lang} (Marian: one model per pair)
    max_tokens: int = 4096                 # token budget per batch (length-sorted batches)
    num_beams: int = 1                     # 1 = greedy
    max_new_tokens: int = 256
    dtype: str = "auto"                    # generate: auto = bf16 on GPU (fp16 where bf16 is unsupported), fp32 on CPU
    backend: Literal["generate", "ctranslate2"] = "generate"   # marian, nllb, m2m100: who runs the model
    compute_type: Literal["auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "float16", "bfloat16",
                          "float32"] = "auto"  # ctranslate2: auto = int8 on CPU, bf16 on GPU (fp16 without bf16)
    lexicon_dirs: list[str] = field(default_factory=list)  # extra en-xx.tsv lexicons for `dictionary`
    freedict: bool = True                  # also read Debian FreeDict dictionaries where installed
    reference: str = "auto"                # `reference`: the parallel benchmark(s) whose human translations it
                                           # gives (xnli, pawsx, tatoeba; auto: all, in that order)
    reference_source: str | None = None    # where it reads them (default: the build's --data-dir / --kit / hub)
    reference_data_dir: str | None = None
