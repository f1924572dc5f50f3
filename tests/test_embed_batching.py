"""Batching is only a speed-up: the real e5-small gives the same vectors for a text whether it is embedded alone
or inside a length-sorted, padded batch of texts of very different lengths and scripts (bench_select.py times it)."""
from __future__ import annotations

import numpy as np

from advmine.embedders import EmbedConfig, make_embedder

TEXTS = ["Hi.", "The central bank raised interest rates again on Tuesday, surprising most analysts.",
         "Das Wetter ist heute schön.", "Hali ya hewa ni nzuri leo, lakini kesho kutanyesha mvua kubwa sana.",
         "天气很好。", "Погода сегодня хорошая, и мы пойдём гулять в парк.",
         "", "ok"]


def test_batched_vectors_equal_one_at_a_time():
    emb = make_embedder(EmbedConfig(name="e5-small", batch_size=3))  # batches mix lengths and need padding
    batched = emb.encode(TEXTS)
    alone = np.stack([emb.encode([t])[0] for t in TEXTS])
    assert batched.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(batched, alone, atol=1e-5)
