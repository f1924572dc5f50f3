"""Phase 1 offline: the kit's own XLM-R. A sentencepiece vocabulary trained on the kit's multilingual text and
a small XLM-R-architecture model pretrained from random init with masked language modelling by the one
training loop. Cached by a hash of its config and the kit's text, so later commands reuse it. Its scores are
a smoke test, not science. Also: continued MLM on any text (e.g. an advmine dataset), the paper's baseline."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datasets import Dataset

from stilts.core.markers import done, key_of, mark_done
from stilts.core.outputs import cache_root
from stilts.train.loop import LoopConfig, train_loop


@dataclass(frozen=True)
class KitModelConfig:
    vocab_size: int = 3000
    hidden: int = 128
    layers: int = 2
    heads: int = 2
    max_length: int = 128
    epochs: float = 8
    batch_size: int = 32
    lr: float = 5e-4
    mask_prob: float = 0.15
    dupe: int = 2           # static masking: each line is masked `dupe` times, differently
    seed: int = 0
    max_steps: int | None = None


def kit_texts() -> list[str]:
    from stilts.core.tasks import KIT_DIR, KIT_LANGS, load

    texts = []
    m = load("mnli", "train", source="kit")
    texts += list(m["text_a"]) + list(m["text_b"])
    for lang in KIT_LANGS:
        for split in ("dev", "test"):
            d = load("xnli", split, lang, source="kit")
            texts += list(d["text_a"]) + list(d["text_b"])
    for f in sorted((KIT_DIR / "lexicon").glob("*.tsv")):
        texts += [line.split("\t")[1] for line in f.read_text(encoding="utf-8").splitlines()[1:] if "\t" in line]
    return list(dict.fromkeys(t for t in texts if t.strip()))


def mask_tokens(ids: list[int], tok: Any, prob: float, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """BERT masking: of the chosen 15%, 80% -> <mask>, 10% -> random token, 10% kept; labels elsewhere -100."""
    special = set(tok.all_special_ids)
    inp, lab = list(ids), [-100] * len(ids)
    for i, t in enumerate(ids):
        if t in special or rng.random() >= prob:
            continue
        lab[i] = t
        r = rng.random()
        inp[i] = tok.mask_token_id if r < 0.8 else (int(rng.integers(len(tok))) if r < 0.9 else t)
    return inp, lab


def mlm_features(texts: list[str], tok: Any, max_length: int, prob: float, dupe: int, seed: int) -> Dataset:
    enc = tok(texts, truncation=True, max_length=max_length)["input_ids"]
    rng = np.random.default_rng(seed)
    rows = {"input_ids": [], "attention_mask": [], "labels": [], "length": []}
    for _ in range(dupe):
        for ids in enc:
            inp, lab = mask_tokens(ids, tok, prob, rng)
            rows["input_ids"].append(inp)
            rows["attention_mask"].append([1] * len(inp))
            rows["labels"].append(lab)
            rows["length"].append(len(inp))
    return Dataset.from_dict(rows)


def _kit_root(cfg: KitModelConfig) -> tuple[Path, str]:
    key = key_of(asdict(cfg), kit_texts())
    return cache_root() / f"kit-xlmr-{key[:12]}", key


def kit_encoder_cached(cfg: KitModelConfig = KitModelConfig()) -> bool:
    """Whether the kit's model with this config is built already (a multi-process run cannot build it)."""
    root, key = _kit_root(cfg)
    return done(root, key)


def kit_encoder(cfg: KitModelConfig = KitModelConfig(), log=print) -> Path:
    """Build (once) and return the kit encoder directory (AutoModel-loadable, with its tokenizer)."""
    import sentencepiece as spm
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForMaskedLM, XLMRobertaTokenizer

    from stilts.models import save_encoder
    from stilts.train.evaluate import make_evaluator

    root, key = _kit_root(cfg)
    if done(root, key):
        return root / "encoder"
    texts = kit_texts()
    root.mkdir(parents=True, exist_ok=True)
    log(f"building the kit's XLM-R (phase 1, MLM from random init) in {root}")
    (root / "corpus.txt").write_text("\n".join(texts), encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(root / "corpus.txt"), model_prefix=str(root / "sentencepiece.bpe"),
                                   vocab_size=cfg.vocab_size, character_coverage=0.9995, model_type="unigram",
                                   minloglevel=2, hard_vocab_limit=False, num_threads=1)
    tok = XLMRobertaTokenizer(vocab_file=str(root / "sentencepiece.bpe.model"))
    config = XLMRobertaConfig(vocab_size=len(tok), hidden_size=cfg.hidden, num_hidden_layers=cfg.layers,
                              num_attention_heads=cfg.heads, intermediate_size=4 * cfg.hidden,
                              max_position_embeddings=max(cfg.max_length, 384) + 2, pad_token_id=tok.pad_token_id,
                              bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    torch.manual_seed(cfg.seed)
    model = XLMRobertaForMaskedLM(config)
    rng = np.random.default_rng(cfg.seed)
    held_out = set(rng.choice(len(texts), size=max(1, len(texts) // 50), replace=False).tolist())
    train = mlm_features([t for i, t in enumerate(texts) if i not in held_out], tok, cfg.max_length, cfg.mask_prob,
                         cfg.dupe, cfg.seed)
    dev = mlm_features([t for i, t in enumerate(texts) if i in held_out], tok, cfg.max_length, cfg.mask_prob, 1,
                       cfg.seed + 1)
    loop = LoopConfig(lr=cfg.lr, epochs=cfg.epochs, batch_size=cfg.batch_size, grad_accum=1, warmup_ratio=0.06,
                      seed=cfg.seed, max_steps=cfg.max_steps, checkpoint_every=500)
    result = train_loop(model, train, make_evaluator("mlm", None, dev, tok.pad_token_id, "mlm_loss"), loop,
                        root / "mlm", tok.pad_token_id, "mlm_loss", higher_is_better=False, log=log)
    best = XLMRobertaForMaskedLM.from_pretrained(root / "mlm" / "best")
    save_encoder(best, tok, root / "encoder")
    (root / "phase1.json").write_text(json.dumps({"config": asdict(cfg), "texts": len(texts), **result}, indent=1))
    mark_done(root, key)
    return root / "encoder"


def texts_of_rows(rows: list[dict]) -> list[str]:
    """Every text field of unified rows (any task kind), for continued MLM."""
    out = []
    for r in rows:
        for f in ("text_a", "text_b", "text", "context", "question", "query"):
            if r.get(f):
                out.append(r[f])
        out += [c for c in r.get("choices") or [] if c]
        if r.get("tokens"):
            out.append(" ".join(r["tokens"]))
    return list(dict.fromkeys(out))


def continued_mlm(encoder: str, texts: list[str], out: Path, loop: LoopConfig, max_length: int = 128,
                  log=print, key: str = "") -> Path:
    """Continue masked-LM training of `encoder` on `texts` (the paper's multilingual-MLM baseline)."""
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from stilts.models import save_encoder
    from stilts.train.evaluate import make_evaluator

    key = key or key_of(encoder, texts, asdict(loop), max_length)
    if done(out, key):
        return out / "encoder"
    tok = AutoTokenizer.from_pretrained(encoder)
    model = AutoModelForMaskedLM.from_pretrained(encoder)
    rng = np.random.default_rng(loop.seed)
    held_out = set(rng.choice(len(texts), size=max(1, len(texts) // 50), replace=False).tolist())
    train = mlm_features([t for i, t in enumerate(texts) if i not in held_out], tok, max_length, 0.15, 1, loop.seed)
    dev = mlm_features([t for i, t in enumerate(texts) if i in held_out], tok, max_length, 0.15, 1, loop.seed + 1)
    log(f"[continued-mlm] {len(train)} texts, from {encoder}")
    train_loop(model, train, make_evaluator("mlm", None, dev, tok.pad_token_id, "mlm_loss"), loop, out,
               tok.pad_token_id, "mlm_loss", higher_is_better=False, log=log, key=key)
    save_encoder(AutoModelForMaskedLM.from_pretrained(out / "best"), tok, out / "encoder")
    mark_done(out, key, texts=len(texts))
    return out / "encoder"
