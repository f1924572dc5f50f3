"""Tiny randomly initialised NLLB-200 and M2M-100 models (the M2M100ForConditionalGeneration architecture) for
offline tests and benchmarks of the many-to-many translators, as advmine.tiny does for Marian.

The tokenizers are the real NLLB / M2M-100 classes over a sentencepiece model trained on the kit's English and
Swahili text, so language codes, forced target tokens and decoding run exactly as with the hub models.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from advmine.tiny import kit_sentencepiece


def _save(d: Path, tok: Any, d_model: int, layers: int, ffn: int, heads: int, seed: int,
          vocab_size: int | None, init_std: float) -> Path:
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    config = M2M100Config(vocab_size=vocab_size or len(tok), d_model=d_model, encoder_layers=layers,
                          decoder_layers=layers, encoder_attention_heads=heads, decoder_attention_heads=heads,
                          encoder_ffn_dim=ffn, decoder_ffn_dim=ffn, max_position_embeddings=1024,
                          pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
                          eos_token_id=tok.eos_token_id, decoder_start_token_id=tok.eos_token_id,
                          scale_embedding=True, init_std=init_std)
    torch.manual_seed(seed)
    model_dir = d / "model"
    M2M100ForConditionalGeneration(config).save_pretrained(model_dir)
    tok.save_pretrained(model_dir)
    return model_dir


def build_tiny_nllb(directory: str | Path, d_model: int = 32, layers: int = 1, ffn: int = 64, heads: int = 2,
                    vocab_size: int = 300, seed: int = 0, model_vocab_size: int | None = None,
                    init_std: float = 0.02) -> Path:
    """An NLLB-200 model (FLORES-200 codes such as swh_Latn). `model_vocab_size` sizes the embedding and output
    layers beyond the tokenizer (NLLB-200's 256,206) for benchmarks whose cost depends on it; a larger
    `init_std` than the pretraining default makes the outputs depend on the input (tests of equal outputs)."""
    from transformers import NllbTokenizer

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    tok = NllbTokenizer(vocab_file=str(kit_sentencepiece(d, vocab_size)), model_max_length=1024)
    return _save(d, tok, d_model, layers, ffn, heads, seed, model_vocab_size, init_std)


def build_tiny_m2m100(directory: str | Path, d_model: int = 32, layers: int = 1, ffn: int = 64, heads: int = 2,
                      vocab_size: int = 300, seed: int = 0, init_std: float = 0.02) -> Path:
    """An M2M-100 model (language tokens such as __sw__)."""
    import sentencepiece as spm
    from transformers import M2M100Tokenizer
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    sp = spm.SentencePieceProcessor(model_file=str(kit_sentencepiece(d, vocab_size)))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    vocab = {p: i for i, p in enumerate([*specials, *[p for p in pieces if p not in specials]])}
    (d / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    # the language tokens are passed as special tokens, as the hub's m2m100 tokenizer files list them (the
    # constructor means to add them itself, but its check never does in transformers 4.57)
    langs = [f"__{c}__" for c in FAIRSEQ_LANGUAGE_CODES["m2m100"]]
    tok = M2M100Tokenizer(vocab_file=str(d / "vocab.json"), spm_file=str(d / "sp.model"), model_max_length=1024,
                          additional_special_tokens=langs)
    # len(tok) leaves out the language tokens and the "madeup" words that follow the pieces in M2M-100's vocabulary
    size = len(tok.encoder) + len(tok.lang_token_to_id) + tok.num_madeup_words
    return _save(d, tok, d_model, layers, ffn, heads, seed, size, init_std)
