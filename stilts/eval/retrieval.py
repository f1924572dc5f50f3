"""Retrieval without target training (Tatoeba, BUCC, LAReQA, Mewsli-X): sentences are embedded by an encoder
(mean pooling over non-pad tokens of one hidden layer by default, as XTREME's baseline; `pooling=cls` and any
`layer` configurable), L2-normalised and searched with faiss (cosine); BUCC mines with ratio-margin scores."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from stilts.models import mean_pool


@dataclass(frozen=True)
class RetrievalConfig:
    pooling: str = "mean"          # mean | cls
    layer: float = 14 / 24         # a fraction of the depth (XTREME: layer 14 of 24 for XLM-R large) or an index
    max_length: int = 512
    batch_size: int = 64
    margin_k: int = 4              # BUCC: neighbourhood for the ratio margin


def layer_index(n_layers: int, layer: float) -> int:
    return int(layer) if layer >= 1 else max(1, round(layer * n_layers))


@torch.inference_mode()
def embed(model: Any, tok: Any, texts: list[str], cfg: RetrievalConfig) -> np.ndarray:
    device = next(model.parameters()).device
    n_layers = model.config.num_hidden_layers
    idx = layer_index(n_layers, cfg.layer)
    max_length = min(cfg.max_length, model.config.max_position_embeddings - 2)  # a small model may hold fewer
    order = np.argsort([len(t) for t in texts])
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    for start in range(0, len(texts), cfg.batch_size):
        sel = order[start:start + cfg.batch_size]
        enc = tok([texts[i] for i in sel], truncation=True, max_length=max_length, padding=True,
                  return_tensors="pt").to(device)
        hidden = model(**enc, output_hidden_states=True).hidden_states[idx]
        vec = hidden[:, 0] if cfg.pooling == "cls" else mean_pool(hidden, enc["attention_mask"])
        out[sel] = vec.float().cpu().numpy()
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def nearest(queries: np.ndarray, pool: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine kNN (faiss flat inner product): evaluation sets are small enough to search exactly."""
    import faiss

    index = faiss.IndexFlatIP(pool.shape[1])
    index.add(np.ascontiguousarray(pool, dtype=np.float32))
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), min(k, len(pool)))


def margin_candidates(src: np.ndarray, tgt: np.ndarray, src_ids: list[str], tgt_ids: list[str],
                      k: int = 4) -> list[tuple[str, str, float]]:
    """BUCC mining as XTREME does: ratio margin cos(x, y) / ((mean kNN of x + mean kNN of y) / 2), each
    source's best target kept (`retrieval='max'`)."""
    s_sims, s_idx = nearest(src, tgt, k)
    t_sims, _ = nearest(tgt, src, k)
    fwd, bwd = s_sims.mean(1), t_sims.mean(1)
    out = []
    for i, (sims, idx) in enumerate(zip(s_sims, s_idx)):
        scores = [sims[j] / ((fwd[i] + bwd[t]) / 2) for j, t in enumerate(idx)]
        j = int(np.argmax(scores))
        out.append((src_ids[i], tgt_ids[idx[j]], float(scores[j])))
    return out
