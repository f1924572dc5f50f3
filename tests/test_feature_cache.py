"""The frozen-prefix feature cache gives the outputs and the training curve of the uncached path; stage outputs
hold only trained weights over a fingerprinted base; learning curves flag unconverged stages."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from datasets import Dataset

from advmine.tiny import build_tiny_xlmr
from stilts.core.batching import collate
from stilts.core.errors import StiltsError
from stilts.core.features import encode
from stilts.models import freeze, make_model
from stilts.models.feature_cache import cached_features
from stilts.models.prefix import PrefixModel
from stilts.train.loop import LoopConfig, convergence, train_loop

WORDS = "red green blue cat dog tree river stone cloud lamp alpha beta sun moon".split()
K = 2


def _sentences(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, int(rng.integers(3, 9)))) for _ in range(n)]


@pytest.fixture(scope="module")
def encoder(tmp_path_factory) -> Path:
    return build_tiny_xlmr(tmp_path_factory.mktemp("prefix-enc"), _sentences(300, 3), hidden=32, layers=3,
                           vocab_size=40)


def _rows(kind: str, n: int, seed: int) -> Dataset:
    s = _sentences(3 * n, seed)
    rng = np.random.default_rng(seed)
    if kind == "pair_classification":
        return Dataset.from_list([{"id": str(i), "text_a": s[i], "text_b": s[n + i], "label": int(rng.integers(0, 3))}
                                  for i in range(n)])
    if kind == "tagging":
        return Dataset.from_list([{"id": str(i), "tokens": s[i].split(),
                                   "tags": [int(t) for t in rng.integers(0, 3, len(s[i].split()))]} for i in range(n)])
    if kind == "multiple_choice":
        return Dataset.from_list([{"id": str(i), "context": s[i], "question": "", "choices": [s[n + i], s[2 * n + i]],
                                   "label": int(rng.integers(0, 2))} for i in range(n)])
    rows = []
    for i in range(n):  # span QA: the answer is a word of the context
        ctx = s[i]
        word = ctx.split()[int(rng.integers(0, len(ctx.split())))]
        rows.append({"id": str(i), "question": s[n + i], "context": ctx,
                     "answers": {"text": [word], "answer_start": [ctx.index(word)]}})
    return Dataset.from_list(rows)


def _model(kind: str, encoder: Path, labels: int | None):
    from accelerate.utils import set_seed

    set_seed(0)
    model = make_model(kind, encoder, labels)
    freeze(model, layers=K)
    return PrefixModel(model, K)


def _logits(out) -> torch.Tensor:
    return torch.cat([out.start_logits, out.end_logits], -1) if hasattr(out, "start_logits") else out.logits


@pytest.mark.parametrize("kind,labels", [("pair_classification", 3), ("tagging", 3), ("multiple_choice", None),
                                         ("span_qa", None)])
def test_cached_and_uncached_give_the_same_logits(encoder, kind, labels):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(encoder)
    feats = encode(_rows(kind, 24, 1), kind, tok, 32)
    model = _model(kind, encoder, labels).eval()
    cached = cached_features(model.model, K, feats, tok.pad_token_id, fingerprint=model.fingerprint, log=lambda m: None)
    idx = list(range(len(feats)))
    plain = collate(feats.select(idx).to_list(), tok.pad_token_id)
    stored = collate(cached.select(idx).to_list(), tok.pad_token_id)
    assert torch.equal(plain["input_ids"], stored["input_ids"])
    with torch.no_grad():
        a = model(input_ids=plain["input_ids"], attention_mask=plain["attention_mask"])
        b = model(attention_mask=stored["attention_mask"], prefix_hidden=stored["prefix_hidden"])
    real = plain["attention_mask"].bool()
    la, lb = _logits(a), _logits(b)
    if kind == "span_qa" or kind == "tagging":   # per-token logits: padding positions are nobody's
        mask = torch.cat([real, real], -1) if kind == "span_qa" else real
        la, lb = la[mask], lb[mask]
    assert (la - lb).abs().max().item() <= 1e-4


def test_a_cache_of_another_k_or_model_is_never_read(encoder, tmp_path):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(encoder)
    feats = encode(_rows("pair_classification", 8, 2), "pair_classification", tok, 32)
    m = _model("pair_classification", encoder, 3)
    one = cached_features(m.model, K, feats, tok.pad_token_id, log=lambda x: None)
    other_k = cached_features(m.model, 1, feats, tok.pad_token_id, log=lambda x: None)
    assert one.store.dir != other_k.store.dir and one.store.dir.parent != other_k.store.dir.parent
    with torch.no_grad():
        m.model.base_model.encoder.layer[0].output.dense.weight.add_(0.01)   # another prefix: another key
    changed = cached_features(m.model, K, feats, tok.pad_token_id, log=lambda x: None)
    assert changed.store.dir.parent != one.store.dir.parent
    again = cached_features(_model("pair_classification", encoder, 3).model, K, feats, tok.pad_token_id,
                            log=lambda x: None)
    assert again.store.dir == one.store.dir   # same weights, same inputs: read, not rebuilt


def test_same_loss_curve_with_and_without_the_cache(encoder, tmp_path):
    from transformers import AutoTokenizer

    from stilts.train.evaluate import make_evaluator

    tok = AutoTokenizer.from_pretrained(encoder)
    train, dev = _rows("pair_classification", 64, 4), _rows("pair_classification", 16, 5)
    feats, dev_feats = (encode(d, "pair_classification", tok, 32) for d in (train, dev))
    cfg = LoopConfig(lr=1e-3, epochs=2, batch_size=8, grad_accum=1, log_every=1, seed=3)
    losses, curves = [], []
    for cached in (False, True):
        model = _model("pair_classification", encoder, 3)
        tr, dv = feats, dev_feats
        if cached:
            tr, dv = (cached_features(model.model, K, f, tok.pad_token_id, log=lambda m: None) for f in (feats, dev_feats))
        evaluate = make_evaluator("pair_classification", dev, dv, tok.pad_token_id, "accuracy")
        out = tmp_path / f"run-{cached}"
        result = train_loop(model, tr, evaluate, cfg, out, tok.pad_token_id, "accuracy", log=lambda m: None)
        losses.append([json.loads(x)["loss"] for x in (out / "metrics.jsonl").read_text().splitlines()
                       if '"loss"' in x])
        curves.append(result["curve"])
    assert len(losses[0]) == 16
    assert np.abs(np.array(losses[0]) - np.array(losses[1])).max() <= 1e-4
    assert [p["accuracy"] for p in curves[0]] == [p["accuracy"] for p in curves[1]]


def test_frozen_layers_run_without_dropout(encoder):
    model = _model("pair_classification", encoder, 3)
    model.train()
    base = model.model.base_model
    assert not base.embeddings.training and not any(b.training for b in base.encoder.layer[:K])
    assert all(b.training for b in base.encoder.layer[K:])


def test_stage_outputs_hold_trained_weights_over_a_checked_base(encoder, tmp_path):
    from transformers import AutoModel, AutoTokenizer

    from stilts.models import save_encoder
    from stilts.models.weights import load_pretrained, save_model

    tok = AutoTokenizer.from_pretrained(encoder)
    model = _model("pair_classification", encoder, 3).model
    with torch.no_grad():
        model.classifier.out_proj.bias.add_(1.0)
        model.base_model.encoder.layer[K].output.dense.bias.add_(1.0)
    save_model(model, tmp_path / "model", tok)
    save_encoder(model, tok, tmp_path / "encoder")
    whole = sum(f.stat().st_size for f in Path(encoder).glob("*.safetensors"))
    delta = (tmp_path / "model" / "delta.safetensors").stat().st_size
    assert delta < whole and not list((tmp_path / "model").glob("model.safetensors"))
    again = make_model("pair_classification", tmp_path / "model", 3)
    for (n, a), (_, b) in zip(model.state_dict().items(), again.state_dict().items()):
        assert torch.equal(a, b), n
    enc = load_pretrained(AutoModel, tmp_path / "encoder")
    assert torch.equal(enc.encoder.layer[K].output.dense.bias, model.base_model.encoder.layer[K].output.dense.bias)
    # a target stage started from the encoder delta, saved again: still over the same base, still whole
    target = make_model("pair_classification", tmp_path / "encoder", 3)
    freeze(target, layers=K + 1)   # trains less than the delta had changed: the changed layer stays in
    save_model(target, tmp_path / "target")
    back = make_model("pair_classification", tmp_path / "target", 3)
    assert torch.equal(back.base_model.encoder.layer[K].output.dense.bias,
                       model.base_model.encoder.layer[K].output.dense.bias)
    # another base at the same path: refused in one line
    from safetensors.torch import load_file, save_file

    f = next(Path(encoder).glob("*.safetensors"))
    keep = f.read_bytes()
    try:
        state = load_file(str(f))
        name = next(n for n in state if "embeddings.word_embeddings" in n)
        state[name] = state[name] + 1
        save_file(state, str(f), metadata={"format": "pt"})
        with pytest.raises(StiltsError, match="trained over a base model with weights"):
            make_model("pair_classification", tmp_path / "model", 3)
    finally:
        f.write_bytes(keep)


def test_convergence_rule():
    curve = [{"accuracy": a} for a in (40.0, 50.0, 50.5)]
    assert convergence(curve, "accuracy") == {"converged": True, "last_gain": 0.5}
    assert convergence(curve[:2], "accuracy")["converged"] is False
    assert convergence(curve[:1], "accuracy")["converged"] is None
    # measured against the best earlier evaluation: a dip and a recovery within noise is no new high
    dipped = [{"accuracy": a} for a in (43.0, 53.0, 54.0, 50.0, 52.0)]
    assert convergence(dipped, "accuracy") == {"converged": True, "last_gain": -2.0}
    assert convergence(dipped[:3], "accuracy") == {"converged": True, "last_gain": 1.0}
    higher = [{"accuracy": a} for a in (57.6, 55.0, 58.7)]
    assert convergence(higher, "accuracy")["converged"] is False and convergence(higher, "accuracy")["last_gain"] > 1
    loss = [{"loss": v} for v in (2.0, 1.0, 1.5, 0.4)]                  # lower is better: 0.6 below the best earlier
    assert convergence(loss, "loss", higher_is_better=False)["last_gain"] == pytest.approx(0.6)
    # where the loop tested the gain on the dev rows (vs_best), a gain inside their noise is no new high
    noisy = [{"accuracy": 52.0}, {"accuracy": 55.0, "vs_best": {"gain": 3.0, "lo": -4.0, "hi": 10.0}}]
    assert convergence(noisy, "accuracy") == {"converged": True, "last_gain": 3.0, "gain_interval": [-4.0, 10.0]}
    real = [{"accuracy": 52.0}, {"accuracy": 55.0, "vs_best": {"gain": 3.0, "lo": 0.5, "hi": 5.5}}]
    assert convergence(real, "accuracy")["converged"] is False
    small = [{"accuracy": 52.0}, {"accuracy": 52.5, "vs_best": {"gain": 0.5, "lo": 0.1, "hi": 0.9}}]
    assert convergence(small, "accuracy")["converged"] is True     # significant but within the 1-point floor


def test_retrieval_vectors_from_the_cache_match(encoder):
    from transformers import AutoModel, AutoTokenizer

    from stilts.eval.retrieval import RetrievalConfig, embed
    from stilts.models.weights import load_pretrained

    tok = AutoTokenizer.from_pretrained(encoder)
    model = load_pretrained(AutoModel, encoder)
    freeze(model, layers=K)
    wrapped = PrefixModel(model, K).eval()
    texts = _sentences(20, 6)
    cfg = RetrievalConfig(layer=3)   # above the prefix
    plain = embed(model, tok, texts, cfg)
    cached = embed(wrapped, tok, texts, cfg,
                   prefix=lambda f: cached_features(model, K, f, tok.pad_token_id, log=lambda m: None))
    assert np.abs(plain - cached).max() <= 1e-4


def test_a_loaded_model_names_its_prefix_by_its_root_without_hashing_it(encoder, tmp_path, monkeypatch):
    """Evaluation and each stage key the cache by the root's fingerprint (memoised on disk) when no delta
    touched the prefix; a delta that did, another k, or a model changed in memory (loaded=False) hash it."""
    from stilts.models import weights
    from stilts.models.prefix import loaded_prefix_fingerprint, prefix_fingerprint

    monkeypatch.setenv("STILTS_CACHE", str(tmp_path / "cache"))
    a, b = _model("pair_classification", encoder, 3).model, _model("pair_classification", encoder, 3).model
    fp = loaded_prefix_fingerprint(a, K)
    assert fp and fp == loaded_prefix_fingerprint(b, K) and fp != loaded_prefix_fingerprint(a, 1)
    assert PrefixModel(a, K, loaded=True).fingerprint == fp and PrefixModel(a, K).fingerprint == prefix_fingerprint(a, K)
    b.stilts_delta_keys = {"encoder.layer.1.output.dense.weight"}        # a delta that trained layer 2
    assert loaded_prefix_fingerprint(b, K) is None and loaded_prefix_fingerprint(b, 1) is not None
    # the root's fingerprint is read back from disk in a new process: the encoder is not loaded again
    root = weights.root_fingerprint(str(encoder), lambda: a.base_model)
    assert fp == loaded_prefix_fingerprint(a, K) and list((tmp_path / "cache" / "fingerprints").glob("*.json"))
    weights._FINGERPRINTS.clear()
    assert weights.root_fingerprint(str(encoder), lambda: pytest.fail("hashed again")) == root


def test_a_delta_links_the_roots_unchanged_tokenizer_and_never_writes_through_it(encoder, tmp_path):
    """The tokenizer is a third of an e5-small delta: a grid keeps one copy (hard links), and saving again into
    the same directory replaces the link instead of rewriting the root's file."""
    from transformers import AutoTokenizer

    from stilts.models.weights import save_model

    tok = AutoTokenizer.from_pretrained(encoder)
    tok("a call that leaves truncation state on the backend", truncation=True, max_length=8)
    model = _model("pair_classification", encoder, 3).model
    before = {f.name: f.read_bytes() for f in Path(encoder).iterdir() if f.is_file()}
    save_model(model, tmp_path / "model", tok)
    linked = [f for f in (tmp_path / "model").iterdir() if (Path(encoder) / f.name).is_file()
              and f.samefile(Path(encoder) / f.name)]
    assert "sentencepiece.bpe.model" in {f.name for f in linked}   # the tiny root has no tokenizer.json
    assert all(f.name not in ("delta.safetensors", "base.json") for f in linked)
    tok.add_tokens(["zzznew"])                     # another tokenizer saved over the links
    save_model(model, tmp_path / "model", tok)
    assert {f.name: f.read_bytes() for f in Path(encoder).iterdir() if f.is_file()} == before
    assert "zzznew" in AutoTokenizer.from_pretrained(tmp_path / "model").get_vocab()


def test_an_encoder_delta_with_a_trained_pooler_loads_under_a_tagging_head(encoder, tmp_path):
    """BERT (e5-small) trains its pooler under a sequence head, so an intermediate encoder's delta holds it; a
    token-classification model has no pooler and drops it, as `from_pretrained` would (the real-data grid's
    PAN-X cells after an MNLI stage)."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from stilts.models import save_encoder

    bert = tmp_path / "bert"
    BertModel(BertConfig(vocab_size=40, hidden_size=32, num_hidden_layers=3, num_attention_heads=2,
                         intermediate_size=64)).save_pretrained(bert)
    tok = AutoTokenizer.from_pretrained(encoder)
    tok.save_pretrained(bert)
    pair = _model("pair_classification", bert, 3).model
    assert pair.base_model.pooler.dense.weight.requires_grad
    with torch.no_grad():
        pair.base_model.pooler.dense.bias.add_(1.0)
        pair.base_model.encoder.layer[K].output.dense.bias.add_(1.0)
    save_encoder(pair, tok, tmp_path / "encoder")
    tagger = make_model("tagging", tmp_path / "encoder", 5)
    assert tagger.base_model.pooler is None
    assert torch.equal(tagger.base_model.encoder.layer[K].output.dense.bias,
                       pair.base_model.encoder.layer[K].output.dense.bias)
