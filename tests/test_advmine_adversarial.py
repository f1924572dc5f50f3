"""advmine build, part 2: perturbations, embeddings, selectors (on synthetic sets whose hard examples are
known by construction), faiss indexes, contamination, reproducibility."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from datasets import load_from_disk

from advmine.build import build
from advmine.config import resolve
from advmine.embedders import EmbedConfig, embed_texts, make_embedder
from advmine.knn import all_neighbours, build_index, choose, describe, recall_at_k, search
from advmine.perturbations import make_perturbation, parse
from advmine.points import Points
from advmine.selectors import SelectConfig, get_selector, scores_and_notes
from cli import advmine
from stilts.core.errors import StiltsError, UnknownNameError
from stilts.core.tasks import KIT_DIR

QUIET = {"log": lambda m: None}
SENTENCE = "The young doctor quickly opened the heavy wooden door of the old hospital."


def cfg(tmp, **kw):
    base = {"task": "mnli", "langs": ["sw", "th", "ar"], "out": str(tmp / "out"), "source": "kit",
            "cache_dir": str(tmp / "cache")}
    return resolve(None, {**base, **kw})


# ---- perturbations -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["char-swap", "char-delete", "char-insert", "char-substitute", "qwerty", "wordnet"])
def test_textattack_transformations_change_few_words_keep_stopwords(name):
    spec = parse(f"{name}:pct=0.25")
    method = make_perturbation(spec, ["sw"], "en")
    out = method.perturb(SENTENCE, 0, 0)
    assert out != SENTENCE and out == method.perturb(SENTENCE, 0, 0)  # changed, deterministic
    before, after = SENTENCE.split(), out.split()
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert 1 <= len(changed) <= int(0.25 * len(before)) + 1
    assert all(before[i].lower() not in {"the", "of"} for i in changed)  # stopwords are never modified


def test_homoglyph_and_bad_parameters_are_one_line_errors():
    with pytest.raises(StiltsError, match="homoglyph is broken in this TextAttack wheel"):
        make_perturbation(parse("homoglyph"), ["sw"], "en")
    with pytest.raises(StiltsError, match="is not a float"):
        parse("wordnet:pct=abc")
    with pytest.raises(StiltsError, match="has no parameter 'pcnt'"):
        parse("wordnet:pcnt=0.1")
    with pytest.raises(UnknownNameError, match="did you mean: wordnet"):
        parse("wordnett")


def test_codeswitch_replaces_a_ratio_of_words_with_translations():
    m = make_perturbation(parse("codeswitch:ratio=0.5"), ["sw", "ar"], "en")
    text = "The tall woman is reading a book in the garden while the child is eating bread."
    out = m.perturb(text, 0, 0)
    assert out == m.perturb(text, 0, 0) and out != text
    swapped = [w for w in out.split() if w.lower().strip(".") not in text.lower()]
    assert 2 <= len(swapped) <= 12 and any("\u0600" <= ch <= "\u06ff" for ch in out)  # Arabic words inserted


def test_perturb_step_provenance_and_labels(tmp_path):
    res = build(cfg(tmp_path, langs=["sw"], limit=40, perturb=["codeswitch", "char-swap:side=b"]), **QUIET)
    ds = load_from_disk(res["out"])["train"]
    base = {r["id"]: r for r in ds if r["perturbation"] == "none"}
    cs = [r for r in ds if r["perturbation"].startswith("codeswitch")]
    swaps = [r for r in ds if r["perturbation"].startswith("char-swap")]
    assert len(base) == 40 and 30 <= len(cs) <= 40 and 30 <= len(swaps) <= 40
    assert all(r["lang"] == "en" and r["id"].startswith(r["orig_id"]) for r in cs)
    for r in swaps:  # side=b: the premise is untouched, the label is the original row's
        orig = base[r["id"].split("~")[0]]
        assert r["text_a"] == orig["text_a"] and r["text_b"] != orig["text_b"] and r["label"] == orig["label"]
    info = next(s for s in res["stats"] if s.name == "perturb").info
    assert "codeswitch" in info["label_preserving"]
    card = (tmp_path / "out" / "README.md").read_text()
    assert "## Perturbations" in card and "Labels are preserved by construction" in card


# ---- embeddings and faiss -------------------------------------------------------------------------------------

def test_embedding_cache_and_sentence_transformers_path(tmp_path, tiny_sentence_encoder):
    e = make_embedder(EmbedConfig(name="sentence-transformers", model_id=str(tiny_sentence_encoder)))
    texts = ["Mtu analala.", "ผู้หญิงกำลังอ่านหนังสือ", "Mtu analala."]
    v = embed_texts(texts, e, str(tmp_path))
    assert set(v) == {"Mtu analala.", "ผู้หญิงกำลังอ่านหนังสือ"} and e.calls == 2
    assert abs(np.linalg.norm(v["Mtu analala."]) - 1) < 1e-5
    e2 = make_embedder(EmbedConfig(name="sentence-transformers", model_id=str(tiny_sentence_encoder)))
    v2 = embed_texts(texts, e2, str(tmp_path))
    assert e2.calls == 0 and np.allclose(v2["Mtu analala."], v["Mtu analala."])  # served by the cache


def test_offline_embedder_is_one_line(tmp_path):
    e = make_embedder(EmbedConfig(name="sentence-transformers"))
    with pytest.raises(StiltsError, match="paraphrase-multilingual-MiniLM-L12-v2.*--embedder hashing"):
        embed_texts(["x"], e, str(tmp_path))


def _clustered(n: int = 4000, d: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(20, d))
    x = (centers[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, d))).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_index_follows_size_and_approximate_indexes_recall():
    assert choose(10_000) == "flat" and choose(60_000) == "pq-refine" and choose(10, "ivf") == "ivf"
    assert choose(10_000, self_join=True) == "flat" and choose(60_000, self_join=True) == "nndescent"
    with pytest.raises(UnknownNameError):
        choose(10, "lsh")
    with pytest.raises(UnknownNameError, match="nndescent"):  # a kNN graph cannot answer other queries
        build_index(np.eye(4, dtype=np.float32), "nndescent")
    x = _clustered()
    _, exact = search(build_index(x, "flat"), x[:200], 10)
    for kind in ("ivf", "hnsw", "pq-refine"):
        _, approx = search(build_index(x, kind), x[:200], 10)
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(approx, exact)])
        assert recall >= 0.9, (kind, recall)


def test_nndescent_neighbours_are_checked_against_exact_search(monkeypatch):
    """The kNN graph (pynndescent) finds the exact neighbours of clustered points, measures that itself, returns
    exact cosines; under the recall floor `auto` tries denser graphs, then falls back to pq-refine."""
    import advmine.knn as knn

    x = _clustered(3000)
    queries = np.arange(0, 3000, 7)
    exact = all_neighbours(x, 10, "flat", queries=queries)
    assert exact.structure == "flat" and "recall_at_k" not in exact.info
    nb = all_neighbours(x, 10, "nndescent", seed=0, queries=queries)
    assert nb.structure == "nndescent" and nb.ids.shape == (len(queries), 10)
    measured = recall_at_k(nb.ids, exact.ids, queries)
    assert measured >= 0.95 and nb.info["recall_checked_on"] == len(queries)
    assert nb.info["recall_at_k"] == pytest.approx(measured, abs=1e-4)   # every query was a check query here
    np.testing.assert_allclose(nb.sims, np.einsum("qd,qkd->qk", x[queries], x[nb.ids]), rtol=1e-5)
    assert (np.diff(nb.sims, axis=1) <= 1e-6).all() and "recall 1.000 of the exact 10 nearest" in describe(nb)
    again = all_neighbours(x, 10, "nndescent", seed=0, queries=queries)
    assert np.array_equal(again.ids, nb.ids)                              # same seed, same threads: same graph

    monkeypatch.setattr(knn, "FLAT_MAX", 1000)       # auto now picks the graph for 3,000 points ...
    monkeypatch.setattr(knn, "RECALL_FLOOR", 1.01)   # ... and no recall passes: auto must not keep it
    fb = all_neighbours(x, 10, "auto", queries=queries)
    assert fb.structure == "pq-refine" and "fell under the recall floor 1.01" in describe(fb)
    assert [t["graph_degree"] for t in fb.info["tries"]] == [24, 36, 54]    # denser graphs first, then the fallback
    assert recall_at_k(fb.ids, exact.ids, queries) >= 0.95
    assert all_neighbours(x, 10, "nndescent", queries=queries).structure == "nndescent"  # asked for: kept


# ---- selectors on synthetic sets with known hard examples -----------------------------------------------------

def synthetic(n: int = 400, hard: int = 40, seed: int = 0):
    """Two label clusters; the `hard` examples carry one label but sit inside the other label's cluster."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    place = labels.copy()
    hard_idx = rng.choice(n, hard, replace=False)
    place[hard_idx] = 1 - place[hard_idx]
    mu = rng.normal(size=16)
    x = np.where(place[:, None] == 1, mu, -mu) + 0.9 * rng.normal(size=(n, 16))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    rows = [{"id": f"r{i}", "label": int(labels[i]), "lang": "sw"} for i in range(n)]
    points = Points(x, labels, np.arange(n), np.ones(n, dtype=bool))
    return points, rows, set(hard_idx.tolist())


def recall_at_budget(scores: np.ndarray, hard: set[int], budget: int | None = None) -> float:
    """Share of the hard examples among the `budget` highest-scored rows."""
    top = np.argsort(-scores, kind="stable")[:budget or len(hard)]
    return len(hard & set(top.tolist())) / len(hard)


@pytest.mark.parametrize("name,budget", [("knn-disagreement", 40), ("aflite", 120)])
def test_selector_finds_the_hard_examples_better_than_random(name, budget):
    """400 rows, 40 hard; knn-disagreement ranks them at the very top, AFLite keeps them when filtering down
    to 30% (AFLite filters predictable rows, so squeezed to 10% it starts removing whatever is predictable
    in the remainder, hard rows included: that is its design, not a fault)."""
    points, rows, hard = synthetic()
    sel = SelectConfig(name=name, budget=budget, k=10, rounds=16)
    found = recall_at_budget(scores_and_notes(get_selector(name)(points, rows, "pair_classification", sel, 0))[0],
                             hard, budget)
    chance = np.mean([recall_at_budget(get_selector("random")(points, rows, "pair_classification", sel, s), hard, budget)
                      for s in range(5)])
    assert found >= 0.8 and found > chance + 0.4, (found, chance)


def test_model_margin_finds_mislabelled_examples(tmp_path):
    """A tiny classifier learns a keyword task; the 10% rows whose label contradicts the keyword are hard."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from advmine.tiny import build_tiny_xlmr

    rng = np.random.default_rng(0)
    nouns = ["film", "meal", "book", "song", "trip", "game"]
    texts, labels = [], []
    for i in range(200):
        y = int(rng.integers(0, 2))
        texts.append(f"the {nouns[i % 6]} was {'good' if y else 'bad'} {'indeed' if i % 3 else ''}".strip())
        labels.append(y)
    model_dir = build_tiny_xlmr(tmp_path / "clf", texts, hidden=32, num_labels=2, vocab_size=60)
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    torch.manual_seed(0)
    for step in range(120):
        idx = rng.choice(len(texts), 16)
        enc = tok([texts[i] for i in idx], padding=True, return_tensors="pt")
        loss = model(**enc, labels=torch.tensor([labels[i] for i in idx])).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.save_pretrained(model_dir)
    hard = set(rng.choice(len(texts), 20, replace=False).tolist())
    rows = [{"id": str(i), "text": t, "label": (1 - y) if i in hard else y, "lang": "en"}
            for i, (t, y) in enumerate(zip(texts, labels))]
    sel = SelectConfig(name="model-margin", budget=20, model_id=str(model_dir))
    scores = get_selector("model-margin")(None, rows, "single_classification", sel, 0)
    assert recall_at_budget(scores, hard) >= 0.8
    with pytest.raises(StiltsError, match="needs a reference model"):
        get_selector("model-margin")(None, rows, "single_classification", SelectConfig(name="model-margin"), 0)


def test_multiple_choice_points_make_gold_among_distractors_hard(tmp_path, shared_data):
    res = build(cfg(tmp_path, task="copa", source="data-dir", data_dir=str(shared_data), langs=["sw"], limit=60,
                    select={"name": "knn-disagreement", "budget": 0.5}, contamination="off"), **QUIET)
    ds = load_from_disk(res["out"])["train"]
    assert len(ds) == 30 and "score_knn_disagreement" in ds.column_names
    info = next(s for s in res["stats"] if s.name == "select").info["train"]["sw"]
    assert info["mean_selected"] >= info["mean_all"]


# ---- the README command, reproducibility, contamination -------------------------------------------------------

def test_readme_adversarial_build_on_the_kit(tmp_path):
    out = tmp_path / "adv"
    args = ["build", "--task", "mnli", "--langs", "sw,th,ar", "--kit", "--perturb", "codeswitch", "--select",
            "knn-disagreement", "--budget", "0.3", "--limit", "600", "--out", str(out), "--cache-dir",
            str(tmp_path / "cache")]          # the default embedder: e5-small, the real offline encoder
    res = CliRunner().invoke(advmine, args)
    assert res.exit_code == 0, res.output
    ds = load_from_disk(str(out))["train"]
    per_lang = {lang: sum(1 for x in ds["lang"] if x == lang) for lang in ("sw", "th", "ar")}
    assert per_lang == {"sw": 180, "th": 180, "ar": 180}
    assert {"score_knn_disagreement", "contamination", "contamination_sim"} <= set(ds.column_names)
    card = (out / "README.md").read_text()
    for section in ("## Steps", "## Perturbations", "## Selection: `knn-disagreement`", "## Contamination"):
        assert section in card
    assert "* train/th: flat (asked: auto): exact" in card   # how each language's neighbours were found
    stats = json.loads((out / "stats.json").read_text())
    first_ids = sorted(ds["id"])
    # same config and seed -> same selected ids, even from a fresh work dir and warm caches
    again = CliRunner().invoke(advmine, [*args[:-4], "--out", str(tmp_path / "adv2"), "--cache-dir",
                                         str(tmp_path / "cache")])
    assert again.exit_code == 0
    assert sorted(load_from_disk(str(tmp_path / "adv2"))["train"]["id"]) == first_ids
    assert json.loads((tmp_path / "adv2" / "stats.json").read_text())["fingerprint"] == stats["fingerprint"]


def test_contamination_flags_and_drops_copies_of_evaluation_examples(tmp_path):
    data = tmp_path / "data"
    (data / "mnli").mkdir(parents=True)
    (data / "xnli").mkdir()
    xnli = (KIT_DIR / "xnli" / "test-en.tsv").read_text(encoding="utf-8")
    (data / "xnli" / "test-en.tsv").write_text(xnli, encoding="utf-8")
    header = (KIT_DIR / "mnli" / "train.tsv").read_text(encoding="utf-8").splitlines()
    planted = []
    for n, line in enumerate(xnli.splitlines()[:5]):  # five evaluation pairs copied into the training data
        a, b, label = line.split("\t")
        planted.append("\t".join([str(n), "0", f"p{n}", "x", "( )", "( )", "( )", "( )", a, b, label, label]))
    (data / "mnli" / "train.tsv").write_text("\n".join([header[0], *planted, *header[1:21]]) + "\n", encoding="utf-8")
    common = {"source": "data-dir", "data_dir": str(data), "langs": ["sw"], "include_source": True,
              "contamination": "xnli", "langid": "off"}
    flagged = build(cfg(tmp_path, **common), **QUIET)
    ds = load_from_disk(flagged["out"])["train"]
    hits = {r["id"] for r in ds if r["contamination"] == "xnli"}
    assert hits == {f"p{n}" for n in range(5)}  # the English copies, at cosine 1.0
    table = next(s for s in flagged["stats"] if s.name == "contamination").info["table"]
    assert {(d["task"], d["lang"], d["flagged"]) for d in table} == {("xnli", "en", 5)}
    dropped = build(cfg(tmp_path, out=str(tmp_path / "dropped"), contamination_mode="drop", **common), **QUIET)
    assert dropped["rows"]["train"] == len(ds) - 5
