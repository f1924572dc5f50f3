"""The CTranslate2 backend (`translator.backend: ctranslate2`) for Marian, NLLB-200 and M2M-100.

The transformers model is converted once (advmine.translators.ct2_convert) and run by CTranslate2's C++ kernels,
fed the same length-sorted token-budget batches as `generate`. Greedy float32 output is token for token that of
`generate` (tests/test_ctranslate2.py) because the model's generation settings are mapped here, not left to
CTranslate2's defaults:

* `forced_bos_token_id` (NLLB/M2M-100's target language) becomes the target prefix;
* `forced_eos_token_id` (Marian) makes `generate` spend its last new token on </s>, so one token less is decoded;
* the model's `bad_words_ids`, `no_repeat_ngram_size`, `repetition_penalty` and `length_penalty` carry over.

Beam search (`num_beams` > 1) gets the same settings, but CTranslate2 keeps and ranks its finished hypotheses
its own way, so beams may end on other outputs; only greedy float32 is promised equal.

`compute_type` auto: int8 on CPU, CTranslate2's fast path there (8-bit weights; 3.0-3.3x `generate` against
2.0-2.3x for float32 in bench/results/translate.json; outputs may differ from float32 in a few tokens, hence
its own cache key), bf16 on GPU (fp16 where bf16 is unsupported), the dtypes `generate` uses there. The
resolved type is part of `model_id`, so the translation cache never mixes outputs of two backends or types.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advmine.translators.config import TranslatorConfig
from stilts.core.errors import StiltsError
from stilts.core.hub import require_hub

AUTO = {"cpu": ("int8", "float32"), "cuda": ("bfloat16", "float16", "float32")}   # first supported wins


def placement() -> tuple[str, int]:
    """(device, index): a GPU where CTranslate2 sees one (each accelerate process its own), else the CPU."""
    import ctranslate2

    count = ctranslate2.get_cuda_device_count()
    if not count:
        return "cpu", 0
    from accelerate import PartialState

    return "cuda", PartialState().local_process_index % count


def resolve_compute_type(requested: str, device: str) -> str:
    """`auto` -> the first type in AUTO[device] that this machine supports; an explicit type must be supported
    (CTranslate2 would otherwise fall back silently, and the cache key would name a type that never ran)."""
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types(device)
    if requested == "auto":
        return next(t for t in AUTO[device] if t in supported)
    if requested not in supported:
        raise StiltsError(f"translator.compute_type {requested} is not supported on {device} here "
                          f"(supported: {', '.join(sorted(supported))}); use auto")
    return requested


def decode_options(gen_config: Any, gen: dict, tokenizer: Any, vocabulary: frozenset[str]) -> dict:
    """translate_batch options equivalent to `generate(**gen)` with the model's generation config."""
    unknown = set(gen) - {"num_beams", "max_new_tokens", "forced_bos_token_id"}
    if unknown:
        raise StiltsError(f"ctranslate2 backend: no equivalent for generation settings {sorted(unknown)}")
    forced_eos = getattr(gen_config, "forced_eos_token_id", None) is not None
    bad = [tokenizer.convert_ids_to_tokens(seq) for seq in getattr(gen_config, "bad_words_ids", None) or []]
    return {
        "beam_size": gen["num_beams"],
        # both count the target-language token; generate's forced </s> takes the last of its new tokens
        "max_decoding_length": gen["max_new_tokens"] - forced_eos,
        "min_decoding_length": 0,              # generate may stop at once (min_length 0)
        "suppress_sequences": [seq for seq in bad if set(seq) <= vocabulary] or None,
        "no_repeat_ngram_size": getattr(gen_config, "no_repeat_ngram_size", None) or 0,
        "repetition_penalty": getattr(gen_config, "repetition_penalty", None) or 1.0,
        "length_penalty": getattr(gen_config, "length_penalty", None) or 1.0,
    }


def generation_config(model_id: str) -> Any:
    """The model's generation defaults, as `from_pretrained` gives them to `generate`."""
    from transformers import AutoConfig, GenerationConfig

    try:
        return GenerationConfig.from_pretrained(model_id)
    except OSError:
        return GenerationConfig.from_model_config(AutoConfig.from_pretrained(model_id))


def target_vocabulary(ct2_dir: Path) -> frozenset[str]:
    for name in ("shared_vocabulary.json", "target_vocabulary.json"):
        if (ct2_dir / name).exists():
            return frozenset(json.loads((ct2_dir / name).read_text(encoding="utf-8")))
    return frozenset()


@dataclass(frozen=True)
class Loaded:
    translator: Any             # ctranslate2.Translator
    gen_config: Any             # the model's transformers GenerationConfig
    vocabulary: frozenset[str]  # what the converted model can produce


class CTranslate2Backend:
    """Loads a converted model into a ctranslate2.Translator and runs batches of token ids through it."""

    def __init__(self, cfg: TranslatorConfig):
        self.cfg = cfg

    @functools.cached_property
    def device(self) -> tuple[str, int, str]:
        device, index = placement()
        return device, index, resolve_compute_type(self.cfg.compute_type, device)

    @property
    def tag(self) -> str:
        """Appended to the hub id in model_id (cache key, provenance): outputs differ per backend and type."""
        return f"+ctranslate2:{self.device[2]}"

    def load(self, model_id: str) -> tuple[Any, Any, Any]:
        import ctranslate2
        import torch
        from transformers import AutoTokenizer

        from advmine.translators.ct2_convert import converted

        if not Path(model_id).is_dir():
            require_hub(f"model {model_id}", "translator.model_id=LOCAL_DIR, or --translator dictionary (offline)")
        device, index, compute_type = self.device
        try:
            tokenizer = AutoTokenizer.from_pretrained(model_id)
            gen_config = generation_config(model_id)
        except OSError as e:
            raise StiltsError(f"cannot load translation model {model_id}: {' '.join(str(e).split())[:300]}") from None
        ct2_dir = converted(model_id, compute_type)
        # on CPU as many threads as torch uses, so that the two backends compare on equal terms
        threads = torch.get_num_threads() if device == "cpu" else 0
        translator = ctranslate2.Translator(str(ct2_dir), device=device, device_index=index,
                                            compute_type=compute_type, intra_threads=threads)
        return tokenizer, Loaded(translator, gen_config, target_vocabulary(ct2_dir)), device

    def generate(self, tokenizer: Any, model: Loaded, device: Any, texts: list[str], ids: list[list[int]],
                 gen: dict) -> list[str]:
        options = decode_options(model.gen_config, gen, tokenizer, model.vocabulary)
        forced = gen.get("forced_bos_token_id")
        prefix = [[tokenizer.convert_ids_to_tokens(forced)]] * len(ids) if forced is not None else None
        source = [tokenizer.convert_ids_to_tokens(x) for x in ids]
        results = model.translator.translate_batch(source, target_prefix=prefix, max_batch_size=0, **options)
        out_ids = [tokenizer.convert_tokens_to_ids(r.hypotheses[0]) for r in results]
        return tokenizer.batch_decode(out_ids, skip_special_tokens=True)
