"""kNN on real sentence vectors (issue 16): does advmine's `auto` index keep its promise where it is used?

bench_select.py measures the index on isotropic random vectors, the worst case for any approximate index (no
cluster structure to exploit). Selection and the contamination check search real sentence embeddings, which
are clustered; this bench embeds real multilingual sentences from ../shared/data offline with the real encoder
(`e5-small`, advmine's default embedder) and measures, on the same vectors and in one process:

* exact search (faiss `IndexFlatIP`, what `flat` is): timed on a query sample, extrapolated to all queries;
* the `auto` choice at this size (`pq-refine`: 4-bit PQ fast scan + exact re-rank) on all queries;
* `hnsw` and `ivf`, the alternatives, on all queries;
each with recall@10 against exact search on a 2,000-query sample (self-matches excluded), as the
knn-disagreement selector queries every point against all others.

Vectors go through advmine's embedding cache (ADVMINE_CACHE), so the first run embeds (about 200 texts/s on a
2-core CPU) and a rerun only reads them back. Run: `.venv/bin/python bench/bench_knn_real.py [--n 200000]`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).parent / "results"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
K = 10


def _pair_texts(task: str, splits: tuple[str, ...], fields: tuple[str, ...]) -> list[str]:
    from stilts.core.errors import StiltsError
    from stilts.core.tasks import get_task, load

    spec, out = get_task(task), []
    for lang in spec.languages:
        for split in splits:
            try:
                ds = load(spec, split, lang, source="data-dir", data_dir=str(DATA))
            except StiltsError:
                continue
            for f in fields:
                col = ds[f]
                out += [" ".join(x) if isinstance(x, list) else x for x in col]
    return out


def real_texts(n: int) -> tuple[list[str], dict[str, int]]:
    """Up to `n` distinct real sentences, in a fixed order: XNLI, PAWS-X, Tatoeba, PAN-X and UD-POS sentences."""
    sources = [("xnli", ("dev", "test"), ("text_a", "text_b")), ("pawsx", ("dev", "test"), ("text_a", "text_b")),
               ("tatoeba", ("test",), ("query", "target")), ("panx", ("dev", "test"), ("tokens",)),
               ("udpos", ("dev", "test"), ("tokens",))]
    seen: dict[str, None] = {}
    counts = {}
    for task, splits, fields in sources:
        before = len(seen)
        for t in _pair_texts(task, splits, fields):
            t = t.strip()
            if t and len(seen) < n:
                seen.setdefault(t, None)
        counts[task] = len(seen) - before
        if len(seen) >= n:
            break
    return list(seen), counts


def _recall(found: np.ndarray, exact: np.ndarray, ids: np.ndarray) -> float:
    hits = [len((set(f) - {i}) & (set(e) - {i})) / K for f, e, i in zip(found, exact, ids)]
    return float(np.mean(hits))


def bench(vectors: np.ndarray, sample_size: int = 2000) -> dict:
    import faiss

    from advmine.knn import build_index, choose, search

    n, d = vectors.shape
    rng = np.random.default_rng(0)
    sample = rng.choice(n, min(sample_size, n), replace=False)
    flat = faiss.IndexFlatIP(d)
    flat.add(vectors)
    t0 = time.perf_counter()
    _, exact = flat.search(vectors[sample], K + 1)
    exact_s = (time.perf_counter() - t0) * n / len(sample)
    out = {"exact": {"seconds_all_queries": round(exact_s, 1), "how": f"faiss IndexFlatIP, timed on "
                     f"{len(sample)} queries and extrapolated to {n}"}, "auto_is": choose(n)}
    for structure in ("pq-refine", "hnsw", "ivf"):
        t0 = time.perf_counter()
        index = build_index(vectors, structure)
        _, found = search(index, vectors, K + 1)
        s = time.perf_counter() - t0
        out[structure] = {"seconds_all_queries": round(s, 1), "speedup_vs_exact": round(exact_s / s, 1),
                          "recall_at_10": round(_recall(found[sample], exact, sample), 4)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    args = ap.parse_args()
    from advmine.embedders import EmbedConfig, embed_texts, make_embedder

    t0 = time.perf_counter()
    texts, counts = real_texts(args.n)
    embedder = make_embedder(EmbedConfig(name="e5-small"))
    vec = embed_texts(texts, embedder, None, desc="embed real sentences")
    vectors = np.stack([vec[t] for t in texts]).astype(np.float32)
    embed_s = time.perf_counter() - t0
    result = {"vectors": len(texts), "dim": int(vectors.shape[1]), "encoder": embedder.model_id(),
              "texts_from": counts, "embedding_seconds": round(embed_s, 1),
              "embedded_now": embedder.calls, "k": K, **bench(vectors),
              "goal": ">= 10x exact search at recall@10 >= 0.95 on >= 200k real vectors"}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "knn_real.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
