"""Tiny randomly initialised Marian models for offline tests, benchmarks and smoke runs.

The output is nonsense, but it travels exactly the code path of a real opus-mt model (tokenizer, generate,
batching, cache). The vocabulary is a sentencepiece model trained on the kit's English and Swahili text.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path


def kit_sentencepiece(d: Path, vocab_size: int, **special: int) -> Path:
    """A sentencepiece unigram model (`d/sp.model`) of the kit's English and Swahili XNLI sentences."""
    import sentencepiece as spm

    from stilts.core.tasks import KIT_DIR

    lines = []
    for name in ("xnli/dev-en.tsv", "xnli/dev-sw.tsv"):
        for line in (KIT_DIR / name).read_text(encoding="utf-8").splitlines():
            lines += line.split("\t")[:2]
    (d / "corpus.txt").write_text("\n".join(lines), encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(d / "corpus.txt"), model_prefix=str(d / "sp"), vocab_size=vocab_size,
                                   character_coverage=1.0, model_type="unigram", minloglevel=2, **special)
    return d / "sp.model"


def build_tiny_marian(directory: str | Path, d_model: int = 32, layers: int = 1, ffn: int = 64, heads: int = 2,
                      vocab_size: int = 300, seed: int = 0) -> Path:
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    kit_sentencepiece(d, vocab_size, bos_id=-1, eos_id=-1, unk_id=0, pad_id=-1)
    shutil.copy(d / "sp.model", d / "source.spm")
    shutil.copy(d / "sp.model", d / "target.spm")
    sp = spm.SentencePieceProcessor(model_file=str(d / "sp.model"))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    vocab = {p: i for i, p in enumerate(["</s>", "<unk>", *[p for p in pieces if p != "<unk>"], "<pad>"])}
    (d / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tok = MarianTokenizer(source_spm=str(d / "source.spm"), target_spm=str(d / "target.spm"),
                          vocab=str(d / "vocab.json"), model_max_length=512)
    config = MarianConfig(vocab_size=len(vocab), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
                          encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn,
                          decoder_ffn_dim=ffn, max_position_embeddings=512, pad_token_id=vocab["<pad>"],
                          eos_token_id=vocab["</s>"], decoder_start_token_id=vocab["<pad>"],
                          forced_eos_token_id=vocab["</s>"])
    torch.manual_seed(seed)
    model_dir = d / "model"
    MarianMTModel(config).save_pretrained(model_dir)
    tok.save_pretrained(model_dir)
    return model_dir


def build_tiny_xlmr(directory: str | Path, texts: list[str], hidden: int = 32, layers: int = 1, heads: int = 2,
                    vocab_size: int = 200, num_labels: int | None = None, seed: int = 0) -> Path:
    """A tiny XLM-R (random init) with a sentencepiece vocabulary trained on `texts`; with `num_labels`, a
    sequence-classification head. For tests of code paths that load any HF encoder."""
    import sentencepiece as spm
    import torch
    from transformers import (XLMRobertaConfig, XLMRobertaForSequenceClassification, XLMRobertaModel,
                              XLMRobertaTokenizer)

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    (d / "corpus.txt").write_text("\n".join(texts), encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(d / "corpus.txt"), model_prefix=str(d / "sentencepiece.bpe"),
                                   vocab_size=vocab_size, character_coverage=1.0, model_type="unigram",
                                   minloglevel=2, hard_vocab_limit=False)
    tok = XLMRobertaTokenizer(vocab_file=str(d / "sentencepiece.bpe.model"))
    config = XLMRobertaConfig(vocab_size=len(tok), hidden_size=hidden, num_hidden_layers=layers,
                              num_attention_heads=heads, intermediate_size=hidden * 2, max_position_embeddings=130,
                              num_labels=num_labels or 2, pad_token_id=tok.pad_token_id,
                              bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    torch.manual_seed(seed)
    model = XLMRobertaForSequenceClassification(config) if num_labels else XLMRobertaModel(config)
    out = d / "model"
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out
