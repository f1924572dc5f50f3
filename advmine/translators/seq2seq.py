"""Neural MT: Marian (Helsinki-NLP opus-mt-en-XX), NLLB-200 and M2M-100, run by a backend (`translator.backend`):
transformers `generate` (here) or CTranslate2 (advmine.translators.ctranslate2).

The families own what differs between models (model ids, language codes, target tokens); the backends own how
a batch is run. Texts are sorted by length and packed into batches under a token budget (`max_tokens` counts
padded source tokens), so little compute is spent on padding; the same batches go to either backend. Model ids
are options (`translator.model_id`, `{lang}` allowed); a local directory works like a hub id.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Protocol

import yaml

from advmine.translators.config import TranslatorConfig
from stilts.core.errors import StiltsError
from stilts.core.hub import require_hub
from stilts.core.registry import Entry, Registry

CODES_FILE = Path(__file__).parent / "lang_codes.yaml"
MARIAN_FILE = Path(__file__).parent / "marian_models.yaml"
CODES = yaml.safe_load(CODES_FILE.read_text(encoding="utf-8"))
MARIAN = yaml.safe_load(MARIAN_FILE.read_text(encoding="utf-8"))


def length_batches(lengths: list[int], max_tokens: int) -> list[list[int]]:
    """Indices sorted by length (longest first), cut so that batch size x longest length <= max_tokens."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = lengths[current[0]] if current else lengths[i]
        if current and (len(current) + 1) * longest > max_tokens:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class Backend(Protocol):
    """Runs a family's batches: `load` once per model, `generate` per token-budget batch (texts and their ids)."""
    tag: str   # appended to the hub id in model_id (provenance, translation cache key)

    def load(self, model_id: str) -> tuple[Any, Any, Any]: ...   # tokenizer, model, device or state

    def generate(self, tokenizer: Any, model: Any, device: Any, texts: list[str], ids: list[list[int]],
                 gen: dict) -> list[str]: ...


class GenerateBackend:
    """transformers `generate`: bf16 (or fp16) on GPU, fp32 on CPU, greedy or beam search."""
    tag = ""   # model ids stay the hub ids: the translation cache of earlier builds stays valid

    def __init__(self, cfg: TranslatorConfig):
        self.cfg = cfg

    def load(self, model_id: str) -> tuple[Any, Any, Any]:
        import torch
        from accelerate import PartialState
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        if not Path(model_id).is_dir():
            require_hub(f"model {model_id}", "translator.model_id=LOCAL_DIR, or --translator dictionary (offline)")
        device = PartialState().device
        dtype = torch.float32
        if device.type == "cuda" and self.cfg.dtype in ("auto", "bf16", "fp16"):
            dtype = torch.bfloat16 if self.cfg.dtype != "fp16" and torch.cuda.is_bf16_supported() else torch.float16
        try:
            tokenizer = AutoTokenizer.from_pretrained(model_id)
            model = AutoModelForSeq2SeqLM.from_pretrained(model_id, dtype=dtype).to(device).eval()
        except OSError as e:
            raise StiltsError(f"cannot load translation model {model_id}: {' '.join(str(e).split())[:300]}") from None
        return tokenizer, model, device

    def generate(self, tokenizer: Any, model: Any, device: Any, texts: list[str], ids: list[list[int]],
                 gen: dict) -> list[str]:
        import torch

        enc = tokenizer(texts, return_tensors="pt", padding=True, truncation=True, max_length=512).to(device)
        with torch.inference_mode():
            out = model.generate(**enc, **gen)
        return tokenizer.batch_decode(out, skip_special_tokens=True)


BACKENDS = Registry("translator backend")
BACKENDS.add(Entry("generate", GenerateBackend, doc="transformers generate (PyTorch)"))
BACKENDS.add(Entry("ctranslate2", "advmine.translators.ctranslate2:CTranslate2Backend",
                   doc="CTranslate2: the model converted once, int8/bf16/fp16/fp32 kernels"))


class Seq2SeqTranslator:
    name = "seq2seq"
    word_level = False
    default_model = ""

    def __init__(self, cfg: TranslatorConfig):
        self.cfg = cfg
        self.backend: Backend = BACKENDS.make(cfg.backend, cfg)
        self.calls = 0  # texts sent to the model (the cache keeps this at 0 on a warm rerun)

    def hub_id(self, tgt: str) -> str:
        """The transformers model (hub id or local dir) that translates into `tgt`."""
        return (self.cfg.model_id or self.default_model).format(lang=tgt)

    def model_id(self, tgt: str) -> str:
        """The hub id, tagged with the backend and its compute type where they change the outputs."""
        return self.hub_id(tgt) + self.backend.tag

    def inputs(self, tgt: str) -> list[Path]:
        """The tables this translator reads (language codes): the translate step's key follows their content."""
        return [CODES_FILE]

    def cache_id(self, tgt: str) -> str:
        """`model_id` plus the decoding settings that change outputs, where they differ from the defaults (so
        the translation caches of default builds stay valid, and a beam-search build never reuses greedy
        translations)."""
        default = TranslatorConfig()
        extra = [f"{k}={v}" for k, v, d in (("beams", self.cfg.num_beams, default.num_beams),
                                            ("max_new_tokens", self.cfg.max_new_tokens, default.max_new_tokens))
                 if v != d]
        return self.model_id(tgt) + ("#" + ",".join(extra) if extra else "")

    def lang_code(self, lang: str) -> str:
        return lang

    def generate_kwargs(self, tokenizer: Any, tgt: str) -> dict:
        """Per-language generation settings; `forced_bos_token_id` is also CTranslate2's target prefix."""
        return {}

    def source_prefix(self, tgt: str) -> str:
        """Text put before every source sentence (a multi-target Marian model's target token)."""
        return ""

    def check(self, tgt: str) -> None:
        """Raise one line, before any work, when this translator cannot produce `tgt`."""
        self.lang_code(tgt)

    def prepare_tokenizer(self, tokenizer: Any, src: str) -> None:
        pass

    @functools.lru_cache(maxsize=4)
    def _load(self, model_id: str):
        return self.backend.load(model_id)

    def translate(self, texts: list[str], tgt: str, src: str = "en") -> list[str]:
        if not texts:
            return []
        tokenizer, model, device = self._load(self.hub_id(tgt))
        self.prepare_tokenizer(tokenizer, src)
        prefix = self.source_prefix(tgt)
        texts = [prefix + t for t in texts] if prefix else texts
        ids = tokenizer(texts, truncation=True, max_length=512)["input_ids"]
        out: list[str | None] = [None] * len(texts)
        gen = {"num_beams": self.cfg.num_beams, "max_new_tokens": self.cfg.max_new_tokens,
               **self.generate_kwargs(tokenizer, tgt)}
        for batch in length_batches([len(x) for x in ids], self.cfg.max_tokens):
            outputs = self.backend.generate(tokenizer, model, device, [texts[i] for i in batch],
                                            [ids[i] for i in batch], gen)
            for i, text in zip(batch, outputs):
                out[i] = text.strip()
            self.calls += len(batch)
        return [o or "" for o in out]

    def coverage(self, texts: list[str], tgt: str) -> None:
        return None


class MarianTranslator(Seq2SeqTranslator):
    """OPUS-MT: one model per pair where Helsinki-NLP published one, else a multi-target group model with
    its target token (marian_models.yaml). `translator.model_id` (with `{lang}`) replaces the table."""
    name = "marian"

    def hub_id(self, tgt: str) -> str:
        if self.cfg.model_id:
            return self.cfg.model_id.format(lang=tgt)
        self.check(tgt)
        return MARIAN[tgt]["model"]

    def check(self, tgt: str) -> None:
        if not self.cfg.model_id and tgt not in MARIAN:
            raise StiltsError(f"marian: no English->{tgt} OPUS-MT model is known (advmine/translators/"
                              f"marian_models.yaml); use --translator nllb or --translator m2m100, or set "
                              f"translator.model_id")

    def inputs(self, tgt: str) -> list[Path]:
        """Also the model table, unless `translator.model_id` replaces it (an edited table: a new key)."""
        return super().inputs(tgt) + ([] if self.cfg.model_id else [MARIAN_FILE])

    def source_prefix(self, tgt: str) -> str:
        token = None if self.cfg.model_id else MARIAN.get(tgt, {}).get("token")
        return f"{token} " if token else ""


class NllbTranslator(Seq2SeqTranslator):
    name = "nllb"
    default_model = "facebook/nllb-200-distilled-600M"

    def lang_code(self, lang: str) -> str:
        if lang not in CODES["nllb"]:
            raise StiltsError(f"nllb: no FLORES-200 code for {lang!r} (known: {', '.join(CODES['nllb'])})")
        return CODES["nllb"][lang]

    def prepare_tokenizer(self, tokenizer: Any, src: str) -> None:
        tokenizer.src_lang = self.lang_code(src)

    def generate_kwargs(self, tokenizer: Any, tgt: str) -> dict:
        return {"forced_bos_token_id": tokenizer.convert_tokens_to_ids(self.lang_code(tgt))}


class M2M100Translator(Seq2SeqTranslator):
    name = "m2m100"
    default_model = "facebook/m2m100_418M"

    def lang_code(self, lang: str) -> str:
        if lang not in CODES["m2m100"]:
            raise StiltsError(f"m2m100 does not cover {lang!r}; use --translator nllb")
        return lang

    def prepare_tokenizer(self, tokenizer: Any, src: str) -> None:
        tokenizer.src_lang = self.lang_code(src)

    def generate_kwargs(self, tokenizer: Any, tgt: str) -> dict:
        return {"forced_bos_token_id": tokenizer.get_lang_id(self.lang_code(tgt))}

