"""Outputs are never destroyed by accident nor written by two processes at once (issue 14, items 1-2)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from cli import advmine
from stilts.core.errors import StiltsError
from stilts.core.outputs import check_replaceable, lock_path, output_lock

BUILD = ["build", "--task", "mnli", "--langs", "sw", "--kit", "--limit", "20", "--translator", "identity",
         "--langid", "off"]


def test_build_refuses_an_unrelated_out_and_overwrite_replaces_it(tmp_path):
    foreign = tmp_path / "p"
    foreign.mkdir()
    (foreign / "f").write_text("x")
    res = CliRunner().invoke(advmine, BUILD + ["--out", str(foreign)])
    assert res.exit_code == 2 and "refusing to replace it" in res.stderr and "--overwrite" in res.stderr
    assert (foreign / "f").read_text() == "x"                      # nothing lost
    a_file = tmp_path / "file"
    a_file.write_text("keep")
    res = CliRunner().invoke(advmine, BUILD + ["--out", str(a_file)])
    assert res.exit_code == 2 and "is a file" in res.stderr and a_file.read_text() == "keep"
    res = CliRunner().invoke(advmine, BUILD + ["--out", str(foreign), "--overwrite"])
    assert res.exit_code == 0, res.output
    assert (foreign / "build.yaml").is_file() and not (foreign / "f").exists()
    res = CliRunner().invoke(advmine, BUILD + ["--out", str(foreign)])  # an earlier build: rebuilt in place
    assert res.exit_code == 0, res.output


def test_a_second_writer_meets_the_lock_and_a_killed_holder_leaves_none(tmp_path):
    out = tmp_path / "o"
    with output_lock(out, "advmine build"):
        res = CliRunner().invoke(advmine, BUILD + ["--out", str(out)])
        assert res.exit_code == 2 and f"being written by another advmine build (pid {os.getpid()})" in res.stderr
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from stilts.core.outputs import output_lock\n"
                               f"with output_lock({str(out)!r}, 't'):\n    print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(StiltsError, match=f"pid {holder.pid}"):
        with output_lock(out, "advmine build"):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with output_lock(out, "advmine build"):      # the kernel released the dead holder's lock
        assert lock_path(out).read_text().strip() == str(os.getpid())


def test_train_refuses_a_foreign_directory(tmp_path):
    from stilts.train.config import resolve
    from stilts.train.phases import run_experiment

    d = tmp_path / "notarun"
    d.mkdir()
    (d / "thesis.tex").write_text("x")
    cfg = resolve(None, {"out": str(d), "target": "xnli", "source": "kit", "model": "kit"})
    t0 = time.monotonic()
    with pytest.raises(StiltsError, match="refusing to replace it"):
        run_experiment(cfg, log=lambda m: None)
    assert time.monotonic() - t0 < 2 and (d / "thesis.tex").read_text() == "x"
    check_replaceable(d / "target-xnli", "stilts train", ("config.yaml",))   # absent: fine


def test_a_corrupt_dataset_is_one_line_naming_the_file(tmp_path):
    from stilts.train.config import resolve
    from stilts.train.rows import train_rows

    out = tmp_path / "adv"
    res = CliRunner().invoke(advmine, BUILD + ["--out", str(out)])
    assert res.exit_code == 0 and (out / "checksums.json").is_file()
    cfg = resolve(None, {"out": str(tmp_path / "run"), "target": "xnli", "source": "kit", "model": "kit"})
    assert len(train_rows(str(out), cfg)) == 20
    arrow = next((out / "train").glob("*.arrow"))
    arrow.write_bytes(arrow.read_bytes()[:200])
    with pytest.raises(StiltsError) as e:
        train_rows(str(out), cfg)
    assert str(arrow) in str(e.value) and "does not match its checksum" in str(e.value) and "\n" not in str(e.value)


def test_eval_and_compare_refuse_foreign_output_directories(tmp_path):
    from cli import stilts

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("x")
    res = CliRunner().invoke(stilts, ["compare", "configs/grids/kit-demo.yaml", "--out", str(foreign)])
    assert res.exit_code == 2 and "refusing to replace it" in res.stderr and (foreign / "notes.txt").is_file()
    res = CliRunner().invoke(stilts, ["eval", "--model", str(tmp_path), "--tasks", "xnli", "--kit", "--out",
                                      str(foreign)])
    assert res.exit_code == 2 and "refusing to replace it" in res.stderr and (foreign / "notes.txt").read_text() == "x"


def test_help_examples_run_and_inspect_stdout_is_clean(tmp_path, caplog):
    """`stilts compare --help`'s --set example is accepted; `advmine inspect` prints no progress bar on stdout;
    a new head's 'newly initialized' warning is not shown (it is expected there)."""
    from cli import stilts
    from stilts.compare import load_grid

    assert "--set experiment.limit=500" in " ".join(CliRunner().invoke(stilts, ["compare", "--help"]).output.split())
    grid = load_grid("configs/grids/kit-demo.yaml", {"out": str(tmp_path / "g"), "seeds": [0, 1],
                                                     "experiment.limit": 500})
    assert grid.experiment["limit"] == 500
    out = tmp_path / "ds"
    assert CliRunner().invoke(advmine, BUILD + ["--out", str(out)]).exit_code == 0
    res = CliRunner().invoke(advmine, ["inspect", str(out), "--rows", "1"])
    assert res.exit_code == 0 and "%|" not in res.stdout and "fingerprint" in res.stdout
    from advmine.tiny import build_tiny_xlmr
    from stilts.models import make_model

    enc = build_tiny_xlmr(tmp_path / "enc", ["a b c", "d e f"], vocab_size=20)
    with caplog.at_level("WARNING"):
        make_model("pair_classification", enc, 3)
    assert not [r for r in caplog.records if "newly initialized" in r.getMessage()]
