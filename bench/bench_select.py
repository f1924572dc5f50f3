"""Selection benchmarks (issue 5), each against a baseline in the same process:

1. kNN (k=10) of every one of 400,000 random-normal 384-d unit vectors against all of them, as the
   knn-disagreement selector does: advmine's large-n index (`pq-refine`) vs exact faiss search vs a numpy
   brute force (matrix product + argpartition). The two exact baselines are timed on a query sample and
   extrapolated to 400k queries (said so in the output); the advmine index is timed on all 400k.
   Recall@10 against exact search on a 2,000-query sample.
2. Embedding: batched (sentence-transformers sorts a call's texts by length) vs one text at a time, same model.
3. Perturbation throughput (rows/s): the perturb step (each distinct text once) vs TextAttack's own Augmenter
   called on every row, on the same MNLI-style rows.
Run: `.venv/bin/python bench/bench_select.py [--quick]` (quick: 100k vectors).
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).parent / "results"


def bench_knn(n: int, d: int = 384, k: int = 10) -> dict:
    import faiss

    from advmine.knn import build_index, search

    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, d), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sample = rng.choice(n, 2000, replace=False)
    t0 = time.perf_counter()
    index = build_index(x, "pq-refine")
    _, ann = search(index, x, k + 1)
    ours_s = time.perf_counter() - t0
    flat = faiss.IndexFlatIP(d)
    flat.add(x)
    t0 = time.perf_counter()
    _, exact = flat.search(x[sample], k + 1)
    flat_s = (time.perf_counter() - t0) * n / len(sample)
    nq = 500
    t0 = time.perf_counter()
    sims = x[sample[:nq]] @ x.T
    np.argpartition(-sims, k + 1, axis=1)[:, :k + 1]
    numpy_s = (time.perf_counter() - t0) * n / nq
    recall = float(np.mean([len(set(a) & set(b)) / (k + 1) for a, b in zip(ann[sample], exact)]))
    return {"vectors": n, "dim": d, "k": k, "index": "pq-refine (PQ fast scan, m=d/2 sub-quantisers x 4 bits; exact re-rank of 40 x k candidates per query)",
            "advmine_s_all_queries": round(ours_s, 1), "faiss_flat_s_extrapolated": round(flat_s, 1),
            "numpy_s_extrapolated": round(numpy_s, 1), "speedup_vs_numpy": round(numpy_s / ours_s, 1),
            "speedup_vs_faiss_flat": round(flat_s / ours_s, 2), "recall_at_10": round(recall, 4),
            "goal": "<= 120 s, >= 10x numpy, recall@10 >= 0.95"}


def bench_embed(tmp: Path) -> dict:
    from advmine.embedders import EmbedConfig, make_embedder
    from advmine.tiny import build_tiny_xlmr
    from stilts.core.tasks import load

    from sentence_transformers import SentenceTransformer, models  # noqa: I001

    texts = list(load("mnli", "train", source="kit")["text_a"][:512])
    enc = build_tiny_xlmr(tmp / "xlmr", texts, hidden=256, layers=4, heads=4, vocab_size=300)
    word = models.Transformer(str(enc), max_seq_length=128)
    SentenceTransformer(modules=[word, models.Pooling(word.get_embedding_dimension(), "mean")],
                        device="cpu").save(str(tmp / "st"))
    e = make_embedder(EmbedConfig(name="sentence-transformers", model_id=str(tmp / "st"), batch_size=64))
    e.encode(texts[:8])
    t0 = time.perf_counter()
    for t in texts:
        e.encode([t])
    one_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    e.encode(texts)
    batched_s = time.perf_counter() - t0
    return {"texts": len(texts), "model": "random XLM-R hidden 256, 4 layers + mean pooling",
            "one_at_a_time_s": round(one_s, 2), "batched_s": round(batched_s, 2),
            "speedup": round(one_s / batched_s, 1)}


def bench_perturb(tmp: Path) -> dict:
    import random

    from advmine.build import build
    from advmine.config import resolve
    from advmine.perturbations import make_perturbation, parse
    from stilts.core.tasks import load

    rows = load("mnli", "train", source="kit").select(range(600))
    spec = parse("wordnet:pct=0.2")
    method = make_perturbation(spec, [], "en")
    aug = method.augmenter
    t0 = time.perf_counter()
    random.seed(0)
    for r in rows:  # TextAttack's own loop: augment every text of every row
        aug.augment(r["text_a"])
        aug.augment(r["text_b"])
    loop_s = time.perf_counter() - t0
    cfg = resolve(None, {"task": "mnli", "langs": ["sw"], "source": "kit", "limit": 600, "langid": "off",
                         "include_source": True, "perturb": ["wordnet:pct=0.2"], "out": str(tmp / "p"),
                         "cache_dir": str(tmp / "cache")})
    res = build(cfg, log=lambda m: None)
    step = next(s for s in res["stats"] if s.name == "perturb")
    return {"rows": len(rows), "method": "wordnet:pct=0.2 (both sides)", "augmenter_loop_s": round(loop_s, 2),
            "augmenter_rows_per_s": round(len(rows) / loop_s, 1), "perturb_step_s": step.seconds,
            "perturb_step_rows_per_s": round(len(rows) / step.seconds, 1),
            "speedup": round(loop_s / step.seconds, 2),
            "why": "MNLI-style data repeats each premise in 3 pairs; the step perturbs each distinct text once"}


def main() -> None:
    quick = "--quick" in sys.argv
    tmp = Path(tempfile.mkdtemp(prefix="bench-select-"))
    result = {"knn": bench_knn(100_000 if quick else 400_000), "embedding": bench_embed(tmp),
              "perturbation": bench_perturb(tmp)}
    RESULTS.mkdir(exist_ok=True)
    name = "select_quick.json" if quick else "select.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
