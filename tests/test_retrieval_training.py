"""Retrieval targets follow XTREME-R: LAReQA trains a dual encoder on SQuAD v1.1 (question -> the sentence holding
the answer), Mewsli-X on its Wikipedia pairs, with in-batch negatives; the trained encoder is the run's `model`,
which `stilts eval` loads as any encoder."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from datasets import Dataset
from transformers import AutoModel, AutoTokenizer

import stilts.train.phases as phases
from conftest import FIXTURES
from stilts.core.errors import StiltsError
from stilts.models.dual_encoder import DualEncoder
from stilts.core.tasks import get_task, list_tasks, load
from stilts.core.batching import collate
from stilts.train.config import resolve
from stilts.train.evaluate import make_retrieval_evaluator
from stilts.core.features import encode
from stilts.train.loop import LoopConfig, train_loop
from stilts.train.retrieval_pairs import PAIRS, answer_sentence, build_pairs, held_out, mention_pairs, sentences
from test_train import QUIET, TINY_KIT

ANIMALS = "cat dog horse bird goat cow lion bear wolf duck frog mouse".split()
PLACES = "river forest city mountain lake village desert island garden valley farm beach".split()
FOODS = "bread rice fruit grass corn apples seeds meat honey beans leaves nuts".split()
COLORS = "red green blue black white brown grey yellow orange pink gold silver".split()


def toy_squad(n: int) -> dict:
    """SQuAD v1.1 JSON: n paragraphs of three sentences, one question answered in each sentence."""
    paragraphs = []
    for k in range(n):
        a = ANIMALS[k % 12] + (f" {ANIMALS[k // 12 % 12]}" if k >= 12 else "")
        p, f, c = PLACES[k * 5 % 12], FOODS[k * 7 % 12], COLORS[k * 11 % 12]
        sents = [f"The {a} lives near the {p}.", f"It eats {f} every morning.", f"Its fur is {c} and soft."]
        ctx = " ".join(sents)
        qas = [(f"Where does the {a} live?", p), (f"What does the {a} eat?", f), (f"What color is the {a}?", c)]
        answers = [{"text": x, "answer_start": ctx.index(x, ctx.index(sents[j]))} for j, (_, x) in enumerate(qas)]
        paragraphs.append({"context": ctx, "qas": [{"id": f"p{k}q{j}", "question": q, "answers": [answers[j]]}
                                                   for j, (q, _) in enumerate(qas)]})
    return {"version": "1.1", "data": [{"title": "toy", "paragraphs": paragraphs}]}


@pytest.fixture(scope="module")
def kit_encoder(tmp_path_factory) -> str:
    cfg = resolve(None, {"out": str(tmp_path_factory.mktemp("kit")), "target": "lareqa", "model": "kit", **TINY_KIT})
    return phases.base_encoder(cfg, lambda m: None)


def test_answer_sentence_hand_checked():
    ctx = "The Tana flows east. It passes Garissa! Where does it end? Near Kipini, in Kenya."
    assert [s for _, s in sentences(ctx)] == ["The Tana flows east.", "It passes Garissa!", "Where does it end?",
                                              "Near Kipini, in Kenya."]
    assert answer_sentence(ctx, ctx.index("Garissa")) == "It passes Garissa!"
    assert answer_sentence(ctx, 0) == "The Tana flows east."
    assert answer_sentence(ctx, ctx.index("Kenya")) == "Near Kipini, in Kenya."
    assert answer_sentence(ctx, ctx.index("It passes")) == "It passes Garissa!"  # the sentence's first character
    # the SQuAD fixture, loaded as `stilts train` loads it: one sentence, both questions point at it
    pairs = build_pairs("answer_sentence", load("squad", "train", data_dir=FIXTURES / "data"))
    assert pairs["query"] == ["Where does the Tana flow?", "Which town is near the mouth?"]
    assert set(pairs["target"]) == {"The river Tana flows into the Indian Ocean near the town of Kipini."}
    rows = Dataset.from_list([{"id": "u", "lang": "en", "question": "?", "context": ctx,
                               "answers": {"text": [], "answer_start": []}}])
    with pytest.raises(StiltsError, match="no SQuAD rows with an answer"):
        build_pairs("answer_sentence", rows)  # unanswerable rows give no pairs


def test_held_out_slice_is_whole_paragraphs(tmp_path):
    (tmp_path / "squad").mkdir()
    (tmp_path / "squad" / "train-v1.1.json").write_text(json.dumps(toy_squad(30)))
    pairs = build_pairs("answer_sentence", load("squad", "train", data_dir=tmp_path))
    assert len(pairs) == 90 and pairs[4]["target"] == "It eats " + FOODS[7] + " every morning."
    train, dev = held_out(pairs, dev_limit=500)
    assert len(dev) == 9 and len(train) == 81  # 10%, whole paragraphs of 3 questions
    assert not set(train["group"]) & set(dev["group"])
    assert set(held_out(pairs.shuffle(seed=1), 500)[1]["group"]) == set(dev["group"])  # independent of row order
    assert len(held_out(pairs, dev_limit=3)[1]) == 3


def test_spec_names_the_training_pairs():
    named = {t.name: t.train_pairs for t in list_tasks() if t.train_pairs}
    assert named == {"lareqa": "answer_sentence", "mewslix": "wikipedia_pairs"}
    assert all(get_task(t).kind == "retrieval" and p in PAIRS for t, p in named.items())
    assert get_task("lareqa").train_from == "squad" and get_task("tatoeba").train_pairs is None


def test_mewslix_training_data_absent_offline_is_one_line(tmp_path, kit_encoder):
    cfg = resolve(None, {"out": str(tmp_path / "run"), "target": "mewslix", "model": "kit", **TINY_KIT,
                         "source": "data-dir", "data_dir": str(FIXTURES / "data")})
    with pytest.raises(StiltsError) as e:
        phases.run_experiment(cfg, **QUIET)
    assert "mewslix: no train files" in str(e.value) and "wikipedia_pairs-train.jsonl" in str(e.value)
    assert "\n" not in str(e.value)
    rows = Dataset.from_list([{"id": "m1", "query": "Berlin: { Berlin } is big", "target": "", "target_ids": ["Q64"]}])
    with pytest.raises(StiltsError, match="no rows with a target text"):
        mention_pairs(rows)  # a reader that keeps no entity descriptions gives no pairs, said in one line
    rows = Dataset.from_list([{"id": "m1", "query": "Berlin: { Berlin } is big", "target": "Berlin is the capital.",
                               "target_ids": ["Q64"]}])
    assert build_pairs("wikipedia_pairs", rows)[0] == {"id": "m1", "query": "Berlin: { Berlin } is big",
                                                       "target": "Berlin is the capital.", "group": "Q64"}


def test_dual_encoder_loss_falls_on_identical_pairs(tmp_path, kit_encoder):
    """Query = target: the in-batch softmax must learn to tell the 32 sentences apart."""
    texts = [f"The {a} lives near the {p}." for a in ANIMALS[:8] for p in PLACES[:4]]
    pairs = Dataset.from_list([{"id": str(i), "query": t, "target": t, "group": t} for i, t in enumerate(texts)])
    tok = AutoTokenizer.from_pretrained(kit_encoder)
    feats = encode(pairs, "retrieval", tok, 32)
    batch = collate(feats.to_list(), tok.pad_token_id)
    assert batch["input_ids"].shape[:2] == (32, 2) and batch["labels"].shape == (32,)
    torch.manual_seed(0)
    model = DualEncoder(AutoModel.from_pretrained(kit_encoder), layer=14 / 24, temperature=0.05)
    model.eval()
    with torch.no_grad():
        before = model(**batch).loss.item()
    evaluate = make_retrieval_evaluator(feats, tok.pad_token_id, "map_at_20")
    cfg = LoopConfig(lr=1e-3, epochs=15, batch_size=16, grad_accum=1, warmup_ratio=0.0, seed=0)
    train_loop(model, feats, evaluate, cfg, tmp_path / "run", tok.pad_token_id, "map_at_20", **QUIET)
    model.eval()
    with torch.no_grad():
        after = model(**batch).loss.item()
    assert after < 0.5 * before, (before, after)
    scores = evaluate(model)
    assert scores["top1"] == 100.0 and scores["map_at_20"] == 100.0  # a sentence finds itself
    assert AutoModel.from_pretrained(tmp_path / "run" / "best").config.hidden_size == 32  # the encoder alone


def test_duplicate_targets_are_not_negatives(kit_encoder):
    tok = AutoTokenizer.from_pretrained(kit_encoder)
    rows = [{"id": str(i), "query": q, "target": t, "group": t}
            for i, (q, t) in enumerate([("where is it", "It is here."), ("what is it", "It is here."),
                                        ("who is it", "Someone else.")])]
    batch = collate(encode(Dataset.from_list(rows), "retrieval", tok, 32).to_list(), tok.pad_token_id)
    model = DualEncoder(AutoModel.from_pretrained(kit_encoder), layer=14 / 24).eval()
    with torch.no_grad():
        out = model(**batch)
    assert torch.isinf(out.logits[0, 1]) and torch.isinf(out.logits[1, 0]) and torch.isfinite(out.logits[0, 2])
    assert torch.isfinite(out.loss)


def test_lareqa_run_trains_the_encoder_that_stilts_eval_loads(tmp_path, kit_encoder, shared_data):
    """squad (intermediate) -> lareqa (dual encoder from the intermediate encoder); `model` is the trained
    encoder, and zero-shot retrieval on XQuAD-R scores it."""
    from stilts.eval.zero_shot import evaluate_task

    data = tmp_path / "data"
    (data / "squad").mkdir(parents=True)
    (data / "squad" / "train-v1.1.json").write_text(json.dumps(toy_squad(24)))
    (data / "squad" / "dev-v1.1.json").write_text((FIXTURES / "data" / "squad" / "dev-v1.1.json").read_text())
    run, logs = tmp_path / "run", []
    cfg = resolve(None, {"out": str(run), "intermediate": "squad", "target": "lareqa", "source": "data-dir",
                         "data_dir": str(data), "model": "kit", **TINY_KIT, "train.batch_size": 8,
                         "epochs.squad": 1, "epochs.lareqa": 2, "rows": "shared"})   # 72 toy rows for both
    result = phases.run_experiment(cfg, log=logs.append)
    assert result["stages"] == ["intermediate-squad", "target-lareqa"]
    inter = run / "intermediate-squad" / "encoder"
    assert any(m.startswith("[target-lareqa]") and m.endswith(f"start: encoder of {inter}") for m in logs)
    target = result["scores"][1]
    assert (target["train_rows"], target["dev_rows"]) == (63, 9) and 0 <= target["dev_en"] <= 100
    assert os.readlink(run / "model") == str(Path("target-lareqa") / "encoder")
    assert not (run / "target-lareqa" / "best").exists() and not (run / "target-lareqa" / "checkpoint").exists()
    trained = AutoModel.from_pretrained(run / "model").state_dict()
    start = AutoModel.from_pretrained(inter).state_dict()
    assert any(not torch.equal(v, start[k]) for k, v in trained.items() if k in start)  # it was trained
    res = evaluate_task(str(run / "model"), "lareqa", source="data-dir", data_dir=str(shared_data), langs=["en"],
                        limit=10, log=lambda m: None)
    en = res["languages"]["en"]
    assert en["rows"] == 10 and 0 <= en["score"] <= 100 and en["pool"] > 10_000  # the pool spans all languages
