"""One `stilts train` run over two processes (`accelerate launch --cpu --num_processes 2`, gloo on CPU), as
docs/scale.md tells a cluster user to start it (issue 35, point 1): each process trains half of every batch and
the gradients are averaged, so with the same batch plan the run takes the single-process run's steps and ends at
its weights; only the main process writes (one metrics file, one curve, one checkpoint, one model), every dev row
is scored once per evaluation, and what one process cannot do alone under several is refused in one line."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from stilts.train.config import resolve

TINY_KIT = {"kit.hidden": 32, "kit.layers": 1, "kit.vocab_size": 800, "kit.max_steps": 20, "kit.epochs": 1}
STILTS = str(Path(sys.executable).with_name("stilts"))


@pytest.fixture(scope="module")
def no_dropout_encoder(tmp_path_factory) -> str:
    """The tiny kit encoder without dropout: the two runs draw different dropout masks for a row (its process's
    RNG, not the single run's), and the comparison is of the arithmetic, not of those draws."""
    from stilts.train.phases import base_encoder

    cfg = resolve(None, {"out": str(tmp_path_factory.mktemp("kit")), "target": "xnli", "model": "kit", **TINY_KIT})
    target = tmp_path_factory.mktemp("enc") / "encoder"
    shutil.copytree(base_encoder(cfg, lambda m: None), target)
    config = json.loads((target / "config.json").read_text())
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    (target / "config.json").write_text(json.dumps(config))
    return str(target)


def _train(out: Path, encoder: str, processes: int) -> subprocess.CompletedProcess:
    args = ["train", "--intermediate", "mnli", "--target", "xnli", "--kit", "--model", encoder, "--limit", "64",
            "--out", str(out), "--set", "dev_limit=40", "--set", "train.batch_size=8", "--set", "train.grad_accum=1",
            "--set", "epochs.mnli=2", "--set", "epochs.xnli=1", "--set", "train.lr=1e-3"]
    launch = [sys.executable, "-m", "accelerate.commands.launch", "--cpu", "--num_processes", str(processes),
              "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", STILTS]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(launch + args if processes > 1 else [STILTS, *args], capture_output=True, text=True,
                          timeout=600, env=env)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, no_dropout_encoder) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("mp")
    out = {}
    for n in (1, 2):
        result = _train(root / f"p{n}", no_dropout_encoder, n)
        assert result.returncode == 0, result.stderr[-3000:]
        out[n] = root / f"p{n}"
    return out


def _trained(run: Path, stage: str) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    folder = run / stage / ("encoder" if stage.startswith("intermediate") else "model")
    files = sorted(folder.glob("*.safetensors"))
    assert files, f"no weights in {folder}"
    return {k: v for f in files for k, v in load_file(str(f)).items()}


NOT_YET = pytest.mark.xfail(reason="open (issue 35, point 1): under `accelerate launch --cpu --num_processes 2` "
                             "stilts.core.distributed.num_processes() still reads 1, so both processes run the "
                             "whole run; the steps/weights test can pass for that wrong reason", strict=False)


@NOT_YET
def test_two_processes_take_the_single_runs_steps_and_end_at_its_weights(runs):
    one, two = (json.loads((runs[n] / "scores.json").read_text())["english_dev"] for n in (1, 2))
    assert [s["steps"] for s in two] == [s["steps"] for s in one] == [16, 8]   # 64 rows / 8 per batch, x epochs
    for a, b in zip(one, two):
        assert a["train_rows"] == b["train_rows"] == 64 and a["dev_rows"] == b["dev_rows"] == 40
        assert abs(a["dev_en"] - b["dev_en"]) <= 2.5     # one dev row of 40 may flip at a tie of float sums
    for stage in ("intermediate-mnli", "target-xnli"):
        w1, w2 = _trained(runs[1], stage), _trained(runs[2], stage)
        assert w1.keys() == w2.keys()
        worst = max(float((w1[k].float() - w2[k].float()).abs().max()) for k in w1)
        assert worst < 2e-3, f"{stage}: weights differ by {worst}"


@NOT_YET
def test_only_the_main_process_writes(runs):
    for stage in ("intermediate-mnli", "target-xnli"):
        lines = [json.loads(x) for x in (runs[2] / stage / "metrics.jsonl").read_text().splitlines()]
        single = (runs[1] / stage / "metrics.jsonl").read_text().splitlines()
        assert len(lines) == len(single)                          # one writer: no line twice
        evals = [x for x in lines if any(k.startswith("dev_") for k in x)]
        assert [x["epoch"] for x in evals] == sorted({x["epoch"] for x in evals})   # each evaluation once
        curve = json.loads((runs[2] / stage / "curve.json").read_text())
        assert len(curve["points"]) == len(json.loads((runs[1] / stage / "curve.json").read_text())["points"])
        assert not (runs[2] / stage / "checkpoint").exists() and not (runs[2] / stage / "best").exists()
    stages = json.loads((runs[2] / "stages.json").read_text())
    assert stages["processes"] == 2 and json.loads((runs[1] / "stages.json").read_text())["processes"] == 1
    assert (runs[2] / "config.yaml").is_file() and (runs[2] / "model").is_symlink()
    assert not list(runs[2].parent.glob(".*lock*")) and not list(runs[2].glob(".*.tmp*"))


def test_what_one_process_must_do_alone_is_refused_in_one_line(tmp_path, no_dropout_encoder, monkeypatch):
    from stilts.core.errors import StiltsError
    from stilts.train import phases

    monkeypatch.setattr(phases, "num_processes", lambda: 2)
    cfg = resolve(None, {"out": str(tmp_path / "r"), "intermediate": "mnli", "target": "xnli", "source": "kit",
                         "model": no_dropout_encoder, "limit": 64, "continued_mlm": ["mnli"]})
    with pytest.raises(StiltsError, match=r"^continued_mlm under 2 processes: run it in one process"):
        phases.check_multiprocess(cfg)
    monkeypatch.setattr("stilts.train.mlm.kit_encoder_cached", lambda kit: False)
    kit = resolve(None, {"out": str(tmp_path / "r"), "target": "xnli", "source": "kit", "model": "kit"})
    with pytest.raises(StiltsError, match=r"^--model kit under 2 processes: the kit's model is not built yet"):
        phases.check_multiprocess(kit)
