"""kNN on real sentence vectors (issue 16): does advmine's `auto` index keep its promise where it is used?

bench_select.py measures the index on isotropic random vectors, the worst case for any approximate index (no
cluster structure to exploit). Selection and the contamination check search real sentence embeddings, which
are clustered; this bench embeds real multilingual sentences from ../shared/data offline with the real encoder
(`e5-small`, advmine's default embedder) and measures, on the same vectors and in one process:

* exact search (faiss `IndexFlatIP`, what `flat` is): timed on a query sample, extrapolated to all queries;
* the `auto` choice at this size (`advmine.knn.all_neighbours`: pynndescent's kNN graph, its recall checked
  against exact search on 1,000 sampled points, kept at >= 0.95) for all points; pynndescent's numba
  compilation, paid once per process, is timed apart and added in `seconds_with_numba_compile`;
* `pq-refine` (4-bit PQ fast scan + exact re-rank), `hnsw` and `ivf`, the alternatives, on all queries;
each with recall@10 against exact search on a 2,000-query sample (self-matches excluded), as the
knn-disagreement selector queries every point against all others; at 200k and 400k vectors (the first n texts).

Vectors go through advmine's embedding cache (ADVMINE_CACHE), so the first run embeds (about 200 texts/s on a
2-core CPU; 400k texts: about 45 min) and a rerun only reads them back.
Run: `.venv/bin/python bench/bench_knn_real.py [--n 200000,400000]`.
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


def bench(vectors: np.ndarray, sample_size: int = 2000) -> dict:
    import faiss

    from advmine.knn import all_neighbours, choose, describe, recall_at_k

    n, d = vectors.shape
    rng = np.random.default_rng(0)
    sample = rng.choice(n, min(sample_size, n), replace=False)
    flat = faiss.IndexFlatIP(d)
    flat.add(vectors)
    t0 = time.perf_counter()
    _, exact = flat.search(vectors[sample], K + 1)
    exact_s = (time.perf_counter() - t0) * n / len(sample)
    out = {"vectors": n, "exact": {"seconds_all_queries": round(exact_s, 1), "how": f"faiss IndexFlatIP, timed on "
                                   f"{len(sample)} queries and extrapolated to {n}"},
           "auto_is": choose(n, self_join=True)}
    for structure in ("auto", "pq-refine", "hnsw", "ivf"):
        t0 = time.perf_counter()
        nb = all_neighbours(vectors, K + 1, structure)
        s = time.perf_counter() - t0
        out[structure] = {"seconds_all_queries": round(s, 1), "speedup_vs_exact": round(exact_s / s, 1),
                          "recall_at_10": round(recall_at_k(nb.ids[sample], exact, sample), 4), "how": describe(nb)}
    return out


def numba_compile_seconds(vectors: np.ndarray) -> float:
    """pynndescent compiles its kernels (numba) on first use in each process: timed apart, on 5,000 points."""
    from advmine.knn import all_neighbours

    t0 = time.perf_counter()
    all_neighbours(vectors[:5000], K + 1, "nndescent")
    return round(time.perf_counter() - t0, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", default="200000,400000", help="vector counts, comma-separated (the first n texts each)")
    args = ap.parse_args()
    sizes = sorted(int(x) for x in args.n.split(","))
    from advmine.embedders import EmbedConfig, embed_texts, make_embedder

    t0 = time.perf_counter()
    texts, counts = real_texts(sizes[-1])
    embedder = make_embedder(EmbedConfig(name="e5-small"))
    vec = embed_texts(texts, embedder, None, desc="embed real sentences")
    vectors = np.stack([vec[t] for t in texts]).astype(np.float32)
    embed_s = time.perf_counter() - t0
    compile_s = numba_compile_seconds(vectors)
    runs = [bench(vectors[:n]) for n in sizes if n <= len(vectors)]
    for r in runs:  # what a new process pays: the numba compilation on top of the graph
        r["auto"]["seconds_with_numba_compile"] = round(r["auto"]["seconds_all_queries"] + compile_s, 1)
        r["auto"]["speedup_with_numba_compile"] = round(r["exact"]["seconds_all_queries"]
                                                        / r["auto"]["seconds_with_numba_compile"], 1)
    result = {"vectors": len(texts), "dim": int(vectors.shape[1]), "encoder": embedder.model_id(),
              "texts_from": counts, "embedding_seconds": round(embed_s, 1), "embedded_now": embedder.calls,
              "k": K, "numba_compile_s": compile_s, "runs": runs,
              "goal": ">= 10x exact search at recall@10 >= 0.95 on >= 200k real vectors"}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "knn_real.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
