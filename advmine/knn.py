"""Nearest neighbours of L2-normalised vectors (inner product = cosine), in two shapes:

* `all_neighbours(vectors, k)`: every point's k nearest among all points (the knn-disagreement selector). `auto`:
  exact `flat` below FLAT_MAX points; above it `nndescent` (pynndescent's kNN graph), whose recall@k is then
  measured against exact search on CHECK_QUERIES sampled points: below RECALL_FLOOR a denser graph is tried
  (twice at most, while the recall, at least DENSER_ABOVE, says there is structure to find), then the neighbours
  are computed again with `pq-refine`, so `auto` never returns neighbours of unknown quality. What was used and
  the measured recall come back with the neighbours (`Neighbours.info`) and go into the dataset card.
* `build_index` + `search`: queries from another set (the contamination check). `auto`: `flat` below FLAT_MAX,
  `pq-refine` above (a 4-bit product-quantisation fast scan over every vector, best candidates re-ranked
  exactly). `hnsw` and `ivf` on request; a GPU is used for flat and ivf when faiss-gpu sees one.

Why (bench/bench_knn_real.py, bench/bench_select.py; 2-core CPU, k=10, every vector querying all; README
"Benchmarks"). Real e5-small sentence vectors (XNLI, PAWS-X, Tatoeba, PAN-X; translations of one sentence are each
other's neighbours, in other languages): at 200k, `nndescent` recall@10 0.971 in 10.7 s against 127 s for exact
faiss (11.9x); at 400k, 0.954 in 25 s against 518 s (20.9x). pynndescent compiles its numba kernels once per
process (21 s here), so its lead grows with n, which is where it matters (a real grid's language group is 400k+
rows and exact search is quadratic): with the compilation, 4.0x at 200k and 11.4x at 400k. On the same vectors
`pq-refine` keeps recall 0.999-1.000 at 2.8x, HNSW 0.97-0.98 at 2.7-4.5x (its graph build costs as much as
its search), IVF loses the cross-lingual neighbours (0.79-0.83). On isotropic random vectors (no structure: the
worst case) the kNN graph finds almost nothing (recall 0.025 at 400k); the recall check catches that, and
`pq-refine` (0.994 on 400k random vectors) is the index that holds on both.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

FLAT_MAX = 50_000
RECALL_FLOOR = 0.95      # `auto` falls back to pq-refine below this measured recall@k
CHECK_QUERIES = 1_000    # sampled points whose exact neighbours check an approximate graph
NNDESCENT_DEGREE = 24    # pynndescent's first graph degree (200k real vectors: recall@10 0.85 at 11, 0.97 at 24)
DENSER_ABOVE = 0.8       # `auto`: a recall between this and the floor asks for a denser graph (up to twice, x1.5)
IndexStructure = Literal["auto", "flat", "pq-refine", "ivf", "hnsw", "nndescent"]  # checked where configs are read
INDEX_KINDS = get_args(IndexStructure)
SEARCH_KINDS = tuple(s for s in INDEX_KINDS if s != "nndescent")   # a kNN graph answers only its own points


def _check_name(structure: str, kinds: tuple[str, ...]) -> None:
    if structure not in kinds:
        from stilts.core.errors import unknown
        raise unknown("index kind", structure, list(kinds))


def choose(n: int, structure: str = "auto", self_join: bool = False) -> str:
    """The structure for `n` vectors (`auto`: by size; for `self_join`, every point querying all of them)."""
    _check_name(structure, INDEX_KINDS if self_join else SEARCH_KINDS)
    if structure != "auto":
        return structure
    return "flat" if n < FLAT_MAX else ("nndescent" if self_join else "pq-refine")


def build_index(vectors: np.ndarray, structure: str = "auto", nprobe: int = 32, ef_search: int = 128, seed: int = 0,
                k_factor: int = 40):
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, d = vectors.shape
    structure = choose(n, structure)
    if structure == "flat":
        index = faiss.IndexFlatIP(d)
    elif structure == "pq-refine":
        m = d // 2 if d % 2 == 0 else d  # two dimensions per 4-bit sub-quantiser
        base = faiss.IndexPQFastScan(d, m, 4, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        base.train(vectors[rng.choice(n, size=min(n, 20_000), replace=False)])
        index = faiss.IndexRefineFlat(base)
        index.k_factor = k_factor
    elif structure == "hnsw":
        index = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = ef_search
    else:
        nlist = max(1, min(int(4 * math.sqrt(n)), n // 39 or 1))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = vectors[rng.choice(n, size=min(n, nlist * 64), replace=False)]
        index.train(sample)
        index.nprobe = min(nprobe, nlist)
    if structure in ("flat", "ivf") and hasattr(faiss, "get_num_gpus") and faiss.get_num_gpus() > 0:
        index = faiss.index_cpu_to_all_gpus(index)
    index.add(vectors)
    return index


def search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), k)


@dataclass
class Neighbours:
    """Row i: the k nearest points of query i, nearest first (ids -1 where fewer exist), with their cosines."""
    sims: np.ndarray
    ids: np.ndarray
    structure: str                          # what produced them
    info: dict = field(default_factory=dict)  # requested structure, measured recall per graph tried, threads


def _nndescent(vectors: np.ndarray, k: int, degree: int, seed: int) -> tuple[np.ndarray, dict]:
    try:
        import numba
        from pynndescent import NNDescent
    except ImportError as e:  # an install without the dependency: say what to use instead
        from stilts.core.errors import StiltsError
        raise StiltsError(f"index nndescent needs pynndescent ({e}); pip install pynndescent, or pass "
                          "--index pq-refine") from None
    threads = numba.get_num_threads()
    graph = NNDescent(vectors, n_neighbors=degree, metric="dot", random_state=seed, n_jobs=threads,
                      low_memory=True, verbose=False).neighbor_graph[0]
    return graph[:, :k].astype(np.int64), {"threads": threads, "graph_degree": degree}


def _cosines(vectors: np.ndarray, queries: np.ndarray, ids: np.ndarray, chunk: int = 8192) -> np.ndarray:
    sims = np.full(ids.shape, -np.inf, dtype=np.float32)
    for s in range(0, len(queries), chunk):
        block = ids[s:s + chunk]
        sims[s:s + chunk] = np.einsum("qd,qkd->qk", vectors[queries[s:s + chunk]], vectors[np.maximum(block, 0)])
    sims[ids < 0] = -np.inf
    return sims


def recall_at_k(found: np.ndarray, exact: np.ndarray, queries: np.ndarray) -> float:
    """Share of each query's exact k nearest (the query itself set aside on both sides) that `found` holds."""
    hits = []
    for f, e, q in zip(found, exact, queries):
        true = [j for j in e if j != q and j >= 0]
        hits.append(len(set(true) & {int(j) for j in f if j != q}) / max(1, len(true)))
    return float(np.mean(hits)) if hits else 1.0


def all_neighbours(vectors: np.ndarray, k: int, structure: str = "auto", seed: int = 0,
                   queries: np.ndarray | None = None) -> Neighbours:
    """The k nearest points (a point itself included) of each of `queries` (default: every point)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    queries = np.arange(n) if queries is None else np.asarray(queries, dtype=np.int64)
    k = min(k, n)
    chosen = choose(n, structure, self_join=True)
    info: dict = {"requested": structure, "points": n, "queries": len(queries), "k": k}
    if chosen != "nndescent":
        sims, ids = search(build_index(vectors, chosen, seed=seed), vectors[queries], k)
        return Neighbours(sims, ids.astype(np.int64), chosen, info)
    rng = np.random.default_rng(seed)
    check = queries[rng.choice(len(queries), size=min(CHECK_QUERIES, len(queries)), replace=False)]
    _, exact = search(build_index(vectors, "flat"), vectors[check], k)
    degree = max(k, NNDESCENT_DEGREE)
    while True:
        graph, extra = _nndescent(vectors, k, degree, seed)
        recall = recall_at_k(graph[check], exact, check)
        info.update(extra, recall_at_k=round(recall, 4), recall_checked_on=len(check))
        info.setdefault("tries", []).append({"graph_degree": degree, "recall_at_k": round(recall, 4)})
        if structure != "auto" or recall >= RECALL_FLOOR or recall < DENSER_ABOVE or len(info["tries"]) > 2:
            break
        degree = int(degree * 1.5)   # structure is there but the graph too sparse for it: a denser graph
    if structure == "auto" and recall < RECALL_FLOOR:
        sims, ids = search(build_index(vectors, "pq-refine", seed=seed), vectors[queries], k)
        return Neighbours(sims, ids.astype(np.int64), "pq-refine", info)
    ids = graph[queries]
    return Neighbours(_cosines(vectors, queries, ids), ids, "nndescent", info)


def describe(nb: Neighbours) -> str:
    """One line for a card or a log: what found the neighbours and how good they are."""
    i = nb.info
    line = f"{nb.structure} (asked: {i.get('requested', nb.structure)})"
    if "recall_at_k" not in i:
        return line + (": exact" if nb.structure == "flat" else "")
    tries = ", ".join(f"degree {t['graph_degree']}: {t['recall_at_k']:.3f}" for t in i.get("tries", []))
    measured = (f"recall {i['recall_at_k']:.3f} of the exact {i['k']} nearest (the point itself aside) on "
                f"{i['recall_checked_on']:,} sampled points")
    if nb.structure != "nndescent":   # a graph was built and checked, but its recall sent `auto` to pq-refine
        return f"{line}: pynndescent's kNN graph fell under the recall floor {RECALL_FLOOR} ({tries}; {measured})"
    line += f": pynndescent kNN graph, degree {i['graph_degree']}, {i['threads']} threads; {measured}"
    return line + (f" (tried {tries})" if len(i.get("tries", [])) > 1 else "")
