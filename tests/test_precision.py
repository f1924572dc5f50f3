"""Inference precision (stilts.core.precision): one setting for every inference path, fp32 on a CPU unless bf16
is asked for; bf16 vectors stay close to fp32's; the grid's and train's setting reaches dev scoring; the feature
cache's stored states never depend on it."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from stilts.core.errors import StiltsError
from stilts.core.precision import bf16_inference, check_precision, inference_autocast, inference_precision
from test_retrieval_profile import e5_dir, frozen_e5  # noqa: F401  (e5_dir: a module fixture)

CPU = torch.device("cpu")


def test_auto_is_fp32_on_a_cpu_and_bf16_is_asked_for():
    assert bf16_inference(CPU) is False
    with inference_precision("bf16"):
        assert bf16_inference(CPU) is True and inference_autocast(CPU).fast_dtype == torch.bfloat16
        with inference_precision("fp32"):
            assert bf16_inference(CPU) is False
        assert bf16_inference(CPU) is True
    assert bf16_inference(CPU) is False
    with pytest.raises(StiltsError, match="^eval_precision: 'fp16' is not one of auto, fp32, bf16$"):
        check_precision("fp16")
    import inspect
    assert list(inspect.signature(check_precision).parameters) == ["value"]   # no unused `where` (issue 35)


def test_train_refuses_an_unknown_precision_and_keeps_old_keys():
    from stilts.train.config import resolve

    with pytest.raises(StiltsError, match="eval_precision"):
        resolve(None, {"out": "x", "target": "xnli", "eval_precision": "half"})
    plain = resolve(None, {"out": "x", "target": "xnli"})
    assert "eval_precision" not in plain.key_dict()      # runs finished before the setting keep their keys
    assert resolve(None, {"out": "x", "target": "xnli", "eval_precision": "bf16"}).key_dict()["eval_precision"] == "bf16"


def test_bf16_retrieval_vectors_are_close_and_the_cache_is_the_same(e5_dir, tmp_path, monkeypatch):  # noqa: F811
    from stilts.eval.retrieval import RetrievalConfig, embed
    from stilts.models import LAST
    from stilts.models.feature_cache import cached_features

    monkeypatch.setenv("STILTS_CACHE", str(tmp_path / "cache"))
    tok, model, wrapped = frozen_e5(e5_dir)
    texts = ["hello world", "a b c", "hello café", "b a c a b"]
    cfg = RetrievalConfig(layer=LAST, prefix="query: ")

    def store(f):
        return cached_features(model, 1, f, tok.pad_token_id, log=lambda m: None)

    fp32 = embed(wrapped, tok, texts, cfg, prefix=store)
    with inference_precision("bf16"):
        bf16 = embed(wrapped, tok, texts, cfg, prefix=store)
        full_bf16 = embed(model, tok, texts, cfg)
    assert not np.array_equal(fp32, bf16)                      # it did run in bf16
    assert (fp32 * bf16).sum(1).min() > 0.999 and (fp32 * full_bf16).sum(1).min() > 0.999
    stores = sorted(p for p in (tmp_path / "cache" / "prefix-features").glob("*/*") if p.is_dir())
    assert len(stores) == 1                                    # the bf16 pass read the fp32-built store


def test_the_experiments_precision_reaches_its_dev_scoring(monkeypatch, tmp_path):
    from stilts.train import phases
    from stilts.train.config import resolve

    seen = []
    monkeypatch.setattr(phases, "_run_experiment", lambda cfg, run, log: seen.append(bf16_inference(CPU)) or {})
    phases.run_experiment(resolve(None, {"out": str(tmp_path / "a"), "target": "xnli", "eval_precision": "bf16"}))
    phases.run_experiment(resolve(None, {"out": str(tmp_path / "b"), "target": "xnli"}))
    assert seen == [True, False]


def test_stilts_eval_records_the_precision_it_ran_at(e5_dir, shared_data, tmp_path):  # noqa: F811
    import json

    from click.testing import CliRunner

    from cli import stilts

    args = ["eval", "--model", str(e5_dir), "--tasks", "tatoeba", "--data-dir", str(shared_data), "--langs", "sw",
            "--limit", "8"]
    scores = {}
    for p in ("fp32", "bf16"):
        r = CliRunner().invoke(stilts, args + ["--precision", p, "--out", str(tmp_path / p)])
        assert r.exit_code == 0, r.output
        res = json.loads((tmp_path / p / "tatoeba.json").read_text(encoding="utf-8"))
        assert res["precision"] == p
        scores[p] = res["languages"]["sw"]["score"]
    assert abs(scores["fp32"] - scores["bf16"]) <= 25.0   # 8 pairs: one flip is 12.5 points
    bad = CliRunner().invoke(stilts, args + ["--precision", "fp16"])
    assert bad.exit_code != 0 and "fp16" in bad.output
