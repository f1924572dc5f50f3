"""stilts train: the loop learns, resumes to the same weights, phases carry only the encoder, model selection
reads English dev data only, and the run directory holds what a user reloads."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from datasets import Dataset
from transformers import AutoModelForSequenceClassification, AutoTokenizer

import stilts.train.loop as loop_mod
import stilts.train.phases as phases
from advmine.tiny import build_tiny_xlmr
from stilts.core.errors import StiltsError
from stilts.core.batching import length_grouped_batches, padded_fraction, sorted_index_batches
from stilts.train.config import resolve
from stilts.train.evaluate import make_evaluator
from stilts.core.features import IGNORE, encode
from stilts.train.loop import LoopConfig, lr_at, train_loop
from stilts.train.phases import run_experiment
from stilts.train.stages import plan

QUIET = {"log": lambda m: None}
TINY_KIT = {"kit.hidden": 32, "kit.layers": 1, "kit.vocab_size": 800, "kit.max_steps": 20, "kit.epochs": 1}


def synthetic(n: int, seed: int) -> Dataset:
    """Label 1 iff the sentence mentions 'alpha' (vs 'beta'), among random filler words: learnable, not trivial
    for a randomly initialised encoder."""
    rng = np.random.default_rng(seed)
    filler = "red green blue cat dog tree river stone cloud lamp".split()
    rows = []
    for i in range(n):
        y = int(rng.integers(0, 2))
        words = list(rng.choice(filler, 6)) + ["alpha" if y else "beta"]
        rng.shuffle(words)
        rows.append({"id": str(i), "lang": "en", "text": " ".join(words), "label": y})
    return Dataset.from_list(rows)


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory) -> Path:
    texts = list(synthetic(400, 9)["text"])
    return build_tiny_xlmr(tmp_path_factory.mktemp("enc"), texts, hidden=32, layers=1, vocab_size=40)


def _setup(encoder: Path, n: int = 320):
    tok = AutoTokenizer.from_pretrained(encoder)
    train, dev = synthetic(n, 0), synthetic(100, 1)
    feats = encode(train, "single_classification", tok, 32)
    dev_feats = encode(dev, "single_classification", tok, 32)
    return tok, feats, make_evaluator("single_classification", dev, dev_feats, tok.pad_token_id, "accuracy")


def test_loop_learns_a_synthetic_task(tmp_path, tiny_encoder):
    tok, feats, evaluate = _setup(tiny_encoder)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_encoder, num_labels=2)
    assert evaluate(model)["accuracy"] < 80  # untrained
    cfg = LoopConfig(lr=3e-3, epochs=4, batch_size=16, grad_accum=1, warmup_ratio=0.1, seed=0)
    result = train_loop(model, feats, evaluate, cfg, tmp_path / "run", tok.pad_token_id, "accuracy", **QUIET)
    assert result["best"] >= 95, result
    lines = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert any("loss" in x for x in lines) and sum("dev_accuracy" in x for x in lines) == 4
    # every evaluation after the first is tested against the best earlier one on the same dev rows
    curve = result["curve"]
    assert "vs_best" not in curve[0] and all("vs_best" in p for p in curve[1:])
    for before, p in zip(curve, curve[1:]):
        t = p["vs_best"]
        best = max(q["accuracy"] for q in curve[:curve.index(p)])
        assert t["gain"] == pytest.approx(p["accuracy"] - best, abs=1e-3) and t["lo"] <= t["gain"] <= t["hi"]
    assert (tmp_path / "run" / "tensorboard").is_dir()


def _killed_run(tmp_path, tiny_encoder, monkeypatch, name: str) -> dict:
    """An uninterrupted run, and the same run "killed" at its 15th batch (mid-epoch, after step 6's checkpoint)."""
    tok, feats, evaluate = _setup(tiny_encoder)
    cfg = LoopConfig(lr=3e-3, epochs=2, batch_size=16, grad_accum=2, seed=3, checkpoint_every=3)

    def model():
        torch.manual_seed(0)
        return AutoModelForSequenceClassification.from_pretrained(tiny_encoder, num_labels=2)

    whole = model()
    train_loop(whole, feats, evaluate, cfg, tmp_path / "whole", tok.pad_token_id, "accuracy", **QUIET)
    real_collate, calls = loop_mod.collate, {"n": 0}

    def dying_collate(rows, pad_id):
        calls["n"] += 1
        if calls["n"] == 15:
            raise KeyboardInterrupt("killed")
        return real_collate(rows, pad_id)

    monkeypatch.setattr(loop_mod, "collate", dying_collate)
    with pytest.raises(KeyboardInterrupt):
        train_loop(model(), feats, evaluate, cfg, tmp_path / name, tok.pad_token_id, "accuracy", **QUIET)
    monkeypatch.setattr(loop_mod, "collate", real_collate)
    def resume(log=lambda m: None):
        resumed = model()
        train_loop(resumed, feats, evaluate, cfg, tmp_path / name, tok.pad_token_id, "accuracy", log=log)
        return resumed

    return {"whole": whole, "resume": resume, "dir": tmp_path / name}


def _same_weights(a, b) -> None:
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.allclose(x, y, atol=1e-6), name


def test_killed_mid_epoch_resumes_to_the_same_weights(tmp_path, tiny_encoder, monkeypatch):
    run = _killed_run(tmp_path, tiny_encoder, monkeypatch, "resumed")
    state = torch.load(run["dir"] / "checkpoint" / "state.pt", weights_only=True)["state"]
    assert state["epoch"] == 0 and 0 < state["batch"] < 20  # the checkpoint is mid-epoch (20 batches an epoch)
    _same_weights(run["whole"], run["resume"]())


def test_a_corrupt_checkpoint_falls_back_to_the_previous_one(tmp_path, tiny_encoder, monkeypatch):
    """A truncated newest checkpoint is caught by its checksum: one log line, then the previous checkpoint, and
    the weights still equal an uninterrupted run's; with both corrupt, the stage starts over (no traceback)."""
    run = _killed_run(tmp_path, tiny_encoder, monkeypatch, "r")
    newest = run["dir"] / "checkpoint" / "model.pt"
    assert (run["dir"] / "checkpoint.prev" / "model.pt").is_file()
    newest.write_bytes(newest.read_bytes()[:100])               # truncated
    lines: list[str] = []
    _same_weights(run["whole"], run["resume"](lines.append))
    assert any("does not match its checksum" in x and "trying the previous one" in x for x in lines), lines
    assert any(x.startswith("resumed from checkpoint.prev") for x in lines), lines
    for d in ("checkpoint", "checkpoint.prev"):                 # both bad: start over, still no traceback
        (run["dir"] / d / "state.pt").write_bytes(b"junk")
    lines.clear()
    run["resume"](lines.append)
    assert any("starting the stage from its beginning" in x for x in lines)


def test_resume_refuses_a_checkpoint_made_with_another_config(tmp_path, tiny_encoder, monkeypatch):
    """The checkpoint saves the loop config and the stage key; a resume under others is one line, not a run that
    continues someone else's training."""
    import dataclasses

    run = _killed_run(tmp_path, tiny_encoder, monkeypatch, "r")
    tok, feats, evaluate = _setup(tiny_encoder)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_encoder, num_labels=2)
    cfg = LoopConfig(lr=3e-3, epochs=2, batch_size=16, grad_accum=2, seed=3, checkpoint_every=3)
    with pytest.raises(StiltsError, match=r"checkpoint was made with another config \(lr: 0.003 -> 0.001\)"):
        train_loop(model, feats, evaluate, dataclasses.replace(cfg, lr=1e-3), run["dir"], tok.pad_token_id,
                   "accuracy", **QUIET)
    with pytest.raises(StiltsError, match=r"another config \(the stage's config or data\)"):
        train_loop(model, feats, evaluate, cfg, run["dir"], tok.pad_token_id, "accuracy", key="another", **QUIET)


def test_lr_schedule_is_a_pure_function_of_the_step():
    assert lr_at(0, 100, 10, 1.0) == pytest.approx(0.1) and lr_at(9, 100, 10, 1.0) == pytest.approx(1.0)
    assert lr_at(55, 100, 10, 1.0) == pytest.approx(0.5) and lr_at(100, 100, 10, 1.0) == 0.0


def test_length_grouping_cuts_padding():
    rng = np.random.default_rng(0)
    lengths = list(np.clip(rng.lognormal(3.5, 0.5, 2000).astype(int), 8, 256))  # MNLI-like lengths
    grouped = length_grouped_batches(lengths, 32, seed=0, epoch=0)
    plain = length_grouped_batches(lengths, 32, seed=0, epoch=0, group=False)
    assert sorted(i for b in grouped for i in b) == list(range(2000))
    assert padded_fraction(lengths, grouped) < 0.10 < 0.40 <= padded_fraction(lengths, plain, pad_to=256)
    assert grouped == length_grouped_batches(lengths, 32, seed=0, epoch=0)  # deterministic
    assert grouped != length_grouped_batches(lengths, 32, seed=0, epoch=1)
    inference = sorted_index_batches(lengths, 32)   # inference: plain length order, ties in input order
    assert [i for b in inference for i in b] == sorted(range(2000), key=lambda i: lengths[i])
    assert padded_fraction(lengths, inference) < padded_fraction(lengths, grouped)


def test_features_first_subtoken_labels_and_qa_windows(tiny_encoder):
    tok = AutoTokenizer.from_pretrained(tiny_encoder)
    tag = Dataset.from_list([{"id": "t", "lang": "en", "tokens": ["alphabetically", "cat"], "tags": [3, 5]}])
    f = encode(tag, "tagging", tok, 32)[0]
    real = [x for x in f["labels"] if x != IGNORE]
    assert real == [3, 5] and f["labels"][0] == IGNORE  # <s> ignored, one label per word
    ctx = " ".join(["red green blue"] * 12) + " the alpha river"
    qa = Dataset.from_list([{"id": "q", "lang": "en", "question": "where", "context": ctx,
                             "answers": {"text": ["alpha river"], "answer_start": [ctx.index("alpha river")]}}])
    windows = encode(qa, "span_qa", tok, 24)
    assert len(windows) > 1  # long context -> several strided windows
    hits = [w for w in windows if w["start_positions"] > 0]
    assert hits
    w = hits[0]
    start, end = w["offset_mapping"][w["start_positions"]][0], w["offset_mapping"][w["end_positions"]][1]
    assert ctx[start:end].strip() == "alpha river"  # sentencepiece offsets may include the leading space


def test_a_stage_is_keyed_by_its_task_and_a_key_that_names_none_is_refused(tmp_path):
    """XCOPA's COPA stage is keyed `xcopa` (as XNLI's MNLI-row stage is `xnli`, so `epochs.mnli` stays the
    intermediate stage's). A grid once wrote `epochs.copa`, which named no stage, and got the spec's 5 epochs:
    such a key is refused, by `stilts train` and when a grid loads."""
    from stilts.compare.grid import load_grid
    from stilts.core.tasks.registry import get_task
    from stilts.train.command import train
    from stilts.train.stages import stage_epochs

    xcopa, xnli = get_task("xcopa"), get_task("xnli")
    cfg = resolve(None, {"out": "x", "intermediate": "mnli", "target": "xnli", "epochs": {"mnli": 1}})
    assert stage_epochs(cfg, xnli) == xnli.epochs and stage_epochs(cfg, get_task("mnli")) == 1
    assert stage_epochs(resolve(None, {"out": "x", "target": "xcopa", "epochs": {"xcopa": 3}}), xcopa) == 3
    with pytest.raises(StiltsError, match=r"epochs\.copa: no stage of this run is keyed so \(its stages: siqa, xcopa"):
        train(None, {"out": str(tmp_path / "r"), "target": "xcopa", "model": "kit", "source": "kit",
                     "epochs": {"copa": 3}})
    assert not (tmp_path / "r").exists()
    grid = {"name": "g", "out": str(tmp_path / "g"), "model": "kit", "source": "kit", "seeds": [0],
            "targets": ["xnli", "xcopa"], "baseline": "english",
            "experiment": {"epochs": {"mnli": 1, "siqa": 2, "copa": 3}, "limits": {"siqa": 50}},
            "conditions": {"none": {}, "english": {"intermediate": ["mnli"]}}}
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(grid))
    with pytest.raises(StiltsError, match=r"experiment\.epochs\.copa: no stage of this grid is keyed so"):
        load_grid(str(path), {})
    grid["experiment"]["epochs"] = {"mnli": 1, "siqa": 2, "xcopa": 3}
    path.write_text(yaml.safe_dump(grid))
    assert load_grid(str(path), {}).experiment["epochs"]["xcopa"] == 3


def test_epochs_intermediate_trains_every_intermediate_stage_apart_from_its_tasks_target_stage(tmp_path):
    """An intermediate set built from XNLI's own dev rows is keyed `xnli`, as XNLI's target stage is (issue 34):
    `epochs.intermediate` gives the intermediate stage its own epochs; without an intermediate stage it names
    none and is refused."""
    from stilts.core.tasks.registry import get_task
    from stilts.train.command import train
    from stilts.train.stages import check_stage_keys, stage_epochs

    xnli = get_task("xnli")
    cfg = resolve(None, {"out": "x", "intermediate": "mnli", "target": "xnli",
                         "epochs": {"intermediate": 5, "xnli": 3}})
    check_stage_keys(cfg)
    assert stage_epochs(cfg, xnli, "intermediate") == 5 and stage_epochs(cfg, xnli) == 3
    assert stage_epochs(cfg, get_task("mnli"), "intermediate") == 5
    with pytest.raises(StiltsError, match=r"epochs\.intermediate: no stage of this run is keyed so"):
        train(None, {"out": str(tmp_path / "r"), "target": "xnli", "model": "kit", "source": "kit",
                     "epochs": {"intermediate": 3}})


def test_plan_records_hidden_stages_and_encoder_only_transfer(tmp_path):
    cfg = resolve(None, {"out": str(tmp_path), "intermediate": "mnli", "target": "xcopa", "model": "kit"})
    stages = plan(cfg)
    assert [(s.name, s.sources, s.carry) for s in stages] == [
        ("intermediate-mnli", ["mnli"], "encoder"), ("hidden-siqa", ["siqa"], "encoder"),
        ("target-xcopa", ["copa"], "model")]
    assert cfg.train.lr == 2e-4 and cfg.train.grad_accum == 1  # the kit profile
    real = resolve(None, {"out": "x", "target": "xnli"})
    assert real.train.lr == 1e-5 and real.train.batch_size * real.train.grad_accum == 32 and real.model == "xlm-roberta-large"


def test_config_errors_and_offline_model(tmp_path):
    with pytest.raises(StiltsError, match="train.lrr: unknown key"):
        resolve(None, {"out": "x", "target": "xnli", "train.lrr": 1})
    with pytest.raises(StiltsError, match="nothing to train"):
        resolve(None, {"out": "x"})
    cfg = resolve(None, {"out": str(tmp_path / "r"), "target": "xnli", "source": "kit", "model": "xlm-roberta-large"})
    with pytest.raises(StiltsError, match="xlm-roberta-large.*--kit"):
        run_experiment(cfg, **QUIET)


def test_three_phases_on_the_kit(tmp_path, monkeypatch):
    """Phase 3 starts from the phase-2 encoder with a fresh head; only English dev data selects models."""
    from stilts.models import make_model as real_make

    loads, starts = [], []

    def spy_load(task, split, lang=None, **kw):
        loads.append((getattr(task, "name", task), split, lang))
        return real_load(task, split, lang, **kw)

    def spy_make(kind, encoder, num_labels=None):
        m = real_make(kind, encoder, num_labels)
        starts.append((str(encoder), {k: v.clone() for k, v in m.state_dict().items()}))
        return m

    import stilts.train.rows as rows

    real_load = rows.load
    monkeypatch.setattr(rows, "load", spy_load)
    monkeypatch.setattr("stilts.models.make_model", spy_make)
    cfg = resolve(None, {"out": str(tmp_path / "run"), "intermediate": "mnli", "target": "xnli", "source": "kit",
                         "model": "kit", "limit": 200, "dev_limit": 60, **TINY_KIT, "train.max_steps": 6})
    result = run_experiment(cfg, **QUIET)
    run = tmp_path / "run"
    assert result["stages"] == ["intermediate-mnli", "target-xnli"]
    assert all(lang == "en" for _, _, lang in loads) and ("xnli", "dev", "en") in loads
    # the target stage's first model: encoder = phase-2 encoder, head = new
    from transformers import AutoModel

    inter_encoder = AutoModel.from_pretrained(run / "intermediate-mnli" / "encoder").state_dict()
    enc_dir = str(run / "intermediate-mnli" / "encoder")
    target_start = next(sd for path, sd in starts if path == enc_dir)
    encoder_keys = [k for k in target_start if k.startswith("roberta.") and k[8:] in inter_encoder]
    assert len(encoder_keys) == len([k for k in inter_encoder if not k.startswith("pooler.")])
    for k in encoder_keys:
        assert torch.equal(target_start[k], inter_encoder[k[8:]]), k
    # the intermediate stage keeps no head at all (nothing but its encoder can be carried), and checkpoints
    # of finished stages are gone
    assert not (run / "intermediate-mnli" / "model").exists() and [k for k in target_start if k.startswith("classifier.")]
    assert not (run / "intermediate-mnli" / "checkpoint").exists() and (run / "model").is_symlink()
    # the run directory
    for name in ("config.yaml", "stages.json", "scores.json", "model/config.json", "target-xnli/metrics.jsonl"):
        assert (run / name).is_file(), name
    AutoModelForSequenceClassification.from_pretrained(run / "model")
    stages = json.loads((run / "stages.json").read_text())
    assert [s["name"] for s in stages["stages"]] == ["intermediate-mnli", "target-xnli"]
    assert stages["stages"][1]["sources"] == ["mnli"]  # XNLI trains on English MNLI
    scores = json.loads((run / "scores.json").read_text())["english_dev"]
    assert [s["stage"] for s in scores] == ["intermediate-mnli", "target-xnli"]
    again = run_experiment(cfg, **QUIET)  # finished stages are skipped
    assert again["scores"] == result["scores"]


def test_advmine_dataset_mixed_into_the_intermediate_task(tmp_path):
    from advmine.build import build
    from advmine.config import resolve as build_resolve

    adv = build(build_resolve(None, {"task": "mnli", "langs": ["sw"], "source": "kit", "limit": 50,
                                     "out": str(tmp_path / "adv"), "cache_dir": str(tmp_path / "c")}),
                log=lambda m: None)["out"]
    cfg = resolve(None, {"out": str(tmp_path / "run"), "intermediate": f"mnli+{adv}", "source": "kit",
                         "model": "kit", "limit": 100, "dev_limit": 30, **TINY_KIT, "train.max_steps": 2})
    result = run_experiment(cfg, **QUIET)
    assert result["scores"][0]["train_rows"] == 150  # 100 English + 50 Swahili rows


def test_multitask_intermediate_shares_one_encoder(tmp_path, shared_data):
    from stilts.train.multitask import MultiTaskModel, TaskMix, sampled_batches

    cfg = resolve(None, {"out": str(tmp_path / "run"), "intermediate": "mnli,copa", "source": "data-dir",
                         "data_dir": str(shared_data), "model": "kit", "limit": 60, "dev_limit": 20, **TINY_KIT,
                         "train.max_steps": 4, "sampling": "temperature"})
    stages = plan(cfg)
    assert len(stages) == 1 and stages[0].multitask == ["mnli", "copa"]
    result = run_experiment(cfg, **QUIET)
    run = tmp_path / "run" / stages[0].name
    assert (run / "model" / "mnli" / "config.json").is_file() and (run / "model" / "copa" / "config.json").is_file()
    assert (run / "encoder" / "config.json").is_file() and result["scores"][0]["train_rows"] == 120
    # one encoder object under both heads, and temperature sampling draws from both tasks
    from stilts.models import make_model
    a = make_model("pair_classification", run / "encoder", 3)
    b = make_model("multiple_choice", run / "encoder")
    mt = MultiTaskModel([a, b])
    assert mt.heads[0].roberta is mt.heads[1].roberta
    mix = TaskMix([Dataset.from_dict({"length": [5] * 90}), Dataset.from_dict({"length": [5] * 10})])
    plan_t = sampled_batches(mix, "temperature", 4.0)(mix["length"], 5, 0, 0)
    share = np.mean([b[0] >= 90 for b in plan_t])
    assert 0.2 < share < 0.5  # 10% of the data, drawn far more often than 10% under T=4


def test_retrieval_target_uses_the_intermediate_encoder(tmp_path):
    cfg = resolve(None, {"out": str(tmp_path), "intermediate": "mnli", "target": "tatoeba", "model": "kit"})
    assert [s.name for s in plan(cfg)] == ["intermediate-mnli"]


def test_continued_mlm_then_intermediate(tmp_path):
    cfg = resolve(None, {"out": str(tmp_path / "run"), "intermediate": "mnli", "continued_mlm": ["xnli"],
                         "source": "kit", "model": "kit", "limit": 80, "dev_limit": 20, **TINY_KIT,
                         "train.max_steps": 2})
    run_experiment(cfg, **QUIET)
    stages = json.loads((tmp_path / "run" / "stages.json").read_text())
    assert stages["phase1"]["continued_mlm"] == ["xnli"] and stages["phase1"]["mlm_texts"] > 0
    assert stages["phase1"]["encoder"].endswith("phase1-continued-mlm/encoder")
    assert (tmp_path / "run" / "phase1-continued-mlm" / "metrics.jsonl").is_file()


def test_hub_advmine_dataset_offline_is_one_line(tmp_path):
    cfg = resolve(None, {"out": str(tmp_path), "intermediate": "hf:someone/mnli-adv", "model": "kit"})
    with pytest.raises(StiltsError, match="someone/mnli-adv.*local advmine directory"):
        plan(cfg)


def test_new_head_initialisation_depends_only_on_the_seed(tmp_path):
    """A stage's fresh head is the same whatever consumed random numbers before it (e.g. building the kit model
    in the same process), so a cell of `stilts compare` gives the same result alone or after other cells."""
    cfg = resolve(None, {"out": str(tmp_path), "target": "xnli", "source": "kit", "model": "kit", "limit": 40,
                         "dev_limit": 20, **TINY_KIT})
    start = phases.base_encoder(cfg, lambda m: None)
    first = phases._prepare(["mnli"], "xnli", start, cfg, lambda m: None)["model"].state_dict()
    torch.rand(1000)
    second = phases._prepare(["mnli"], "xnli", start, cfg, lambda m: None)["model"].state_dict()
    assert all(torch.equal(v, second[k]) for k, v in first.items())


def test_retrieval_targets_train_as_xtreme_r_does(tmp_path):
    """LAReQA trains a dual encoder on SQuAD from the intermediate encoder, Mewsli-X on its own Wikipedia pairs;
    Tatoeba and BUCC get no target training; `retrieval_training=false` turns the training off."""
    from stilts.core.overrides import parse_sets

    def stages(target: str, **extra) -> list[tuple]:
        cfg = resolve(None, {"out": str(tmp_path), "intermediate": "mnli", "target": target, "model": "kit", **extra})
        return [(s.name, s.phase, s.sources, s.task, s.carry) for s in plan(cfg)]

    inter = ("intermediate-mnli", "intermediate", ["mnli"], "mnli", "encoder")
    assert stages("lareqa") == [inter, ("target-lareqa", "target", ["squad"], "lareqa", "encoder")]
    assert stages("mewslix") == [inter, ("target-mewslix", "target", ["mewslix"], "mewslix", "encoder")]
    assert stages("tatoeba") == stages("bucc") == [inter]
    assert stages("lareqa", **parse_sets(["retrieval_training=false"])) == [inter]
    with pytest.raises(StiltsError, match="retrieval_temperature must be > 0"):
        resolve(None, {"out": "x", "target": "lareqa", "retrieval_temperature": 0})
    cfg = resolve(None, {"out": str(tmp_path / "r"), "target": "lareqa", "model": "kit", "retrieval_training": False})
    with pytest.raises(StiltsError, match="nothing to train: lareqa"):
        run_experiment(cfg, **QUIET)


def test_limit_samples_an_advmine_intermediate_across_languages(tmp_path):
    from advmine.build import build
    from advmine.config import resolve as build_resolve
    from stilts.train.rows import train_rows

    adv = build(build_resolve(None, {"task": "mnli", "langs": ["sw", "th"], "source": "kit", "limit": 40,
                                     "out": str(tmp_path / "adv"), "translator": {"name": "identity"},
                                     "langid": "off"}), log=lambda m: None)["out"]
    cfg = resolve(None, {"out": str(tmp_path / "r"), "intermediate": adv, "source": "kit", "model": "kit",
                         "limit": 30})
    rows = train_rows(adv, cfg)
    assert len(rows) == 30 and set(rows["lang"]) == {"sw", "th"}       # not the first 30 rows (all sw)
    assert list(rows["id"]) == list(train_rows(adv, cfg)["id"])          # the same sample every time


def test_a_mixed_entry_trains_as_its_first_sources_task():
    """`a+b` names its task once (stilts.train.stages.entry_task; issue 35, point 5), not by four copies of
    `source_task(entry.split("+")[0])`; phases.py was split along its seams (stages, rows, running)."""
    import inspect

    from stilts.train import phases, rows, stages

    assert stages.entry_task("mnli+qqp") == "mnli" and stages.entry_task("xnli") == "xnli"
    sources = [inspect.getsource(m) for m in (phases, rows, stages)]
    assert sum(s.count('split("+")[0]') for s in sources) == 1     # in entry_task only
