"""Retrieval without target training (Tatoeba, BUCC, LAReQA, Mewsli-X): sentences are embedded by an encoder
(mean pooling over non-pad tokens of one hidden layer by default, as XTREME's baseline; `pooling=cls`, any
`layer` and a text `prefix` configurable; by default the model's retrieval profile, stilts.models.retrieval_profile,
names layer and prefix), L2-normalised and searched with faiss (cosine); BUCC mines with ratio-margin scores.
Search and mining follow XTREME's utils_retrieve.py (`similarity_search`, `mine_bitext`, `read_candidate2score`)
so that the same embeddings give the official scores."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch

from stilts.core.batching import sorted_index_batches
from stilts.core.config_check import check_choices
from stilts.core.errors import StiltsError
from stilts.core.precision import inference_autocast
from stilts.models import layer_index, layer_problem, mean_pool
from stilts.models.retrieval_profile import XTREME, RetrievalProfile, profile_of

Pooling = Literal["mean", "cls"]


@dataclass(frozen=True)
class RetrievalConfig:
    pooling: Pooling = "mean"
    layer: float = XTREME.layer    # stilts.models.layer_index: a fraction of the depth in (0, 1), 1..N or -N..-1
    prefix: str = ""               # text before every sentence (e5: "query: "); it changes the token ids
    max_length: int = 512
    batch_size: int = 64
    margin_k: int = 4              # BUCC: neighbourhood for the ratio margin
    tatoeba_direction: Literal["en->xx", "xx->en"] = "en->xx"  # XTREME's: English sentences query the xx ones

    def __post_init__(self) -> None:   # built in Python (`stilts eval` options, grid eval), not from a mapping
        check_choices(self, "retrieval config")
        problem = layer_problem(self.layer)
        if problem:
            raise StiltsError(f"invalid retrieval config: {problem}")


def config_for(model: str, profile: RetrievalProfile | None = None, **explicit: Any) -> RetrievalConfig:
    """The retrieval config of `model`: what is given explicitly (None: not given) over `profile` (default: the
    model's own, stilts.models.retrieval_profile), so that an encoder is read the way it was built."""
    p = profile or profile_of(model)[1]
    return RetrievalConfig(**{"layer": p.layer, "prefix": p.prefix,
                              **{k: v for k, v in explicit.items() if v is not None}})


@torch.inference_mode()
def embed(model: Any, tok: Any, texts: list[str], cfg: RetrievalConfig, prefix: Any = None) -> np.ndarray:
    """L2-normalised pooled vectors of `texts`, each after `cfg.prefix` (which so enters the token ids and the
    feature cache's key). `prefix(features)` (a PrefixModel's feature cache) gives the stored states after its
    frozen layers, so only the layers above run; a pooled layer inside the frozen prefix is computed in full."""
    device = next(model.parameters()).device
    n_layers = model.config.num_hidden_layers
    idx = layer_index(n_layers, cfg.layer)
    texts = [cfg.prefix + t for t in texts] if cfg.prefix else texts
    max_length = min(cfg.max_length, model.config.max_position_embeddings - 2)  # a small model may hold fewer
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    for sel, hidden, mask in _hidden_states(model, tok, texts, cfg, idx, max_length, device, prefix):
        hidden = hidden.float()   # pooled in fp32 under bf16 inference too
        out[sel] = (hidden[:, 0] if cfg.pooling == "cls" else mean_pool(hidden, mask)).cpu().numpy()
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _hidden_states(model: Any, tok: Any, texts: list[str], cfg: RetrievalConfig, idx: int, max_length: int,
                   device: Any, prefix: Any):
    """(positions, hidden states at index `idx`, attention mask) per length-sorted batch: from the stored
    prefix states when the layer lies above the prefix, else from token ids through the whole model."""
    k = getattr(model, "k", 0)
    if prefix is not None and idx >= k:
        from datasets import Dataset

        from stilts.core.batching import collate

        ids = tok(texts, truncation=True, max_length=max_length)["input_ids"]
        feats = prefix(Dataset.from_dict({"input_ids": ids}))
        for sel in sorted_index_batches([len(x) for x in ids], cfg.batch_size):
            b = collate(feats.select(sel).to_list(), tok.pad_token_id)
            mask = b["attention_mask"].to(device)
            with inference_autocast(device):
                out = model(attention_mask=mask, prefix_hidden=b["prefix_hidden"].to(device), output_hidden_states=True)
            yield sel, out.hidden_states[idx - k], mask
        return
    for sel in sorted_index_batches([len(t) for t in texts], cfg.batch_size):
        enc = tok([texts[i] for i in sel], truncation=True, max_length=max_length, padding=True,
                  return_tensors="pt").to(device)
        with inference_autocast(device):
            out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], output_hidden_states=True)
        yield sel, out.hidden_states[idx], enc["attention_mask"]


def nearest(queries: np.ndarray, pool: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine kNN (faiss flat inner product): evaluation sets are small enough to search exactly."""
    import faiss

    index = faiss.IndexFlatIP(pool.shape[1])
    index.add(np.ascontiguousarray(pool, dtype=np.float32))
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), min(k, len(pool)))


def similarity_search(index: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """XTREME's `similarity_search(x, y)` for Tatoeba: `index` (x) goes into a faiss L2 index, each row of
    `queries` (y) gets the row of its nearest one. XTREME passes x = the xx sentences and y = the English ones,
    both normalised by faiss first (`normalize=True` under cosine), as here."""
    import faiss

    x, y = np.array(index, dtype=np.float32), np.array(queries, dtype=np.float32)
    faiss.normalize_L2(x)
    faiss.normalize_L2(y)
    flat = faiss.IndexFlatL2(x.shape[1])
    flat.add(x)
    return flat.search(y, 1)[1][:, 0]


def _unify(texts: list[str]) -> tuple[list[int], list[str]]:
    """XTREME's `text_load_unify` + `unique_embeddings`: each distinct sentence once, in first-seen order, with the
    row of its last occurrence (whose embedding XTREME keeps)."""
    last: dict[str, int] = {}
    for i, t in enumerate(texts):
        last[t] = i
    return list(last.values()), list(last)


def _single_ids(texts: list[str], ids: list[str]) -> dict[str, str]:
    """XTREME's `read_sent2id`: stripped sentence -> id, leaving out sentences that occur more than once."""
    counts = Counter(t.strip() for t in texts)
    return {t.strip(): i for t, i in zip(texts, ids) if counts[t.strip()] == 1}


def _margin_scores(x: np.ndarray, y: np.ndarray, idx: np.ndarray, x_mean: np.ndarray,
                   y_mean: np.ndarray) -> np.ndarray:
    """XTREME's `score_candidates` with the ratio margin: cos(x, y) / ((x's kNN mean + y's kNN mean) / 2) in
    float32; each cosine is the same one-pair `dot` as there (about 1 us a pair), so scores and their ties are
    bit for bit XTREME's."""
    cos = np.array([[x[i].dot(y[j]) for j in row] for i, row in enumerate(idx.tolist())], dtype=np.float32)
    return cos.reshape(idx.shape) / ((x_mean[:, None] + y_mean[idx]) / 2)


def mine_bitext(src: np.ndarray, tgt: np.ndarray, src_texts: list[str], tgt_texts: list[str], src_ids: list[str],
                tgt_ids: list[str], k: int = 4) -> list[tuple[str, str, float]]:
    """BUCC candidates as XTREME's `mine_bitext(retrieval='max', margin='ratio')` then `read_candidate2score`.

    Over distinct sentences, every source's and every target's best ratio-margin neighbour is a candidate; in
    descending score each is kept when neither its source nor its target was used by a kept one (a candidate
    with a score <= 0 still uses them up but is not written). Sentences are then mapped back to ids; a pair with
    a sentence that occurs more than once in its file has no id and is dropped. Returns (src id, tgt id, score)
    in mining order."""
    import faiss

    s_rows, s_text = _unify(src_texts)
    t_rows, t_text = _unify(tgt_texts)
    x, y = np.ascontiguousarray(src[s_rows], dtype=np.float32), np.ascontiguousarray(tgt[t_rows], dtype=np.float32)
    faiss.normalize_L2(x)  # again, as XTREME does under cosine: the last bits of the scores depend on it
    faiss.normalize_L2(y)
    x_sims, x_idx = nearest(x, y, k)
    y_sims, y_idx = nearest(y, x, k)
    x_mean, y_mean = x_sims.mean(axis=1), y_sims.mean(axis=1)
    fwd, bwd = _margin_scores(x, y, x_idx, x_mean, y_mean), _margin_scores(y, x, y_idx, y_mean, x_mean)
    fwd_best = x_idx[np.arange(len(x)), fwd.argmax(axis=1)]
    bwd_best = y_idx[np.arange(len(y)), bwd.argmax(axis=1)]
    pairs = [*zip(range(len(x)), fwd_best.tolist()), *zip(bwd_best.tolist(), range(len(y)))]
    scores = np.concatenate((fwd.max(axis=1), bwd.max(axis=1))).astype(np.float64)
    src_id, tgt_id = _single_ids(src_texts, src_ids), _single_ids(tgt_texts, tgt_ids)
    seen_src, seen_tgt, out = set(), set(), []
    for i in np.argsort(-scores):  # numpy's default sort, as XTREME's, so exact ties fall the same way
        s, t = pairs[i]
        if s in seen_src or t in seen_tgt:
            continue
        seen_src.add(s)
        seen_tgt.add(t)
        sid, tid = src_id.get(s_text[s].strip()), tgt_id.get(t_text[t].strip())
        if scores[i] > 0 and sid is not None and tid is not None:
            out.append((sid, tid, float(scores[i])))
    return out
