"""Bad input: exit code != 0, one line naming file, row and field, and nothing written (no cached dataset)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import stilts
from stilts.core.errors import StiltsError

BAD = Path(__file__).parent / "bad_inputs"
NLI = ["--columns", "id=id,text_a=premise,text_b=hypothesis,label=label", "--labels", "entailment,neutral,contradiction"]

CASES = [
    # (file, extra args, expected fragments of the one-line error)
    ("malformed.jsonl", NLI, ["malformed.jsonl:2:", "malformed JSON"]),
    ("missing_label.jsonl", NLI, ["missing_label.jsonl:2:", "field 'label'", "missing label"]),
    ("unknown_label.jsonl", NLI, ["unknown_label.jsonl:2:", "field 'label'", "'maybe'", "entailment, neutral"]),
    ("empty_text.jsonl", NLI, ["empty_text.jsonl:2:", "field 'text_a'", "empty text"]),
    ("duplicate_id.jsonl", NLI, ["duplicate_id.jsonl:2:", "field 'id'", "duplicate id '1'"]),
    ("latin1.tsv", NLI[:1] + ["text_a=premise,text_b=hypothesis,label=label"] + NLI[2:],
     ["latin1.tsv:3:", "not valid UTF-8"]),
    ("unknown_label.jsonl", ["--columns", "text_a=premise,text_b=hypo,label=label", "--labels", "entailment,neutral"],
     ["unknown_label.jsonl:1:", "field 'text_b'", "column 'hypo' not found", "premise, hypothesis"]),
    ("empty.jsonl", NLI, ["empty.jsonl: no rows"]),
    ("blank_lines.jsonl", NLI, ["blank_lines.jsonl: no rows"]),
    ("not_object.jsonl", NLI, ["not_object.jsonl:2:", "must hold an object"]),
    ("label_out_of_range.jsonl", NLI, ["label_out_of_range.jsonl:1:", "field 'label'", "out of range 0..2"]),
    ("null_text.jsonl", NLI, ["null_text.jsonl:1:", "field 'text_a'", "expected text"]),
    ("number_text.jsonl", NLI, ["number_text.jsonl:1:", "field 'text_a'", "got int"]),
    ("unterminated_quote.csv", NLI, ["unterminated_quote.csv:2:", "field 'text_b'"]),
    ("missing_column.csv", NLI, ["missing_column.csv:2:", "column 'hypothesis' not found"]),
    ("short_row.tsv", NLI, ["short_row.tsv:3:", "column 'hypothesis' not found"]),
    ("rows.xml", NLI, ["rows.xml: unknown format"]),
    ("object.json", NLI, ["object.json", "must be a JSON object"]),
    ("truncated.parquet", NLI, ["truncated.parquet:", "not a readable parquet file"]),
    ("float_label.parquet", NLI, ["float_label.parquet:1:", "field 'label'", "unknown label 1.5"]),
    ("no_such_file.jsonl", NLI, ["no_such_file.jsonl: no such file"]),
]


def _cache_files() -> set[str]:
    root = Path(os.environ["HF_DATASETS_CACHE"])
    return {str(p) for p in root.rglob("*.arrow")} if root.exists() else set()


def _run(args: list[str]):
    before = _cache_files()
    result = CliRunner().invoke(stilts, args)
    assert result.exit_code != 0, result.output
    assert _cache_files() == before, "a failed load must not leave a dataset in the cache"
    # Progress bars may precede it (they redraw one terminal line); the error itself is exactly one line.
    lines = [ln for ln in result.stderr.splitlines() if ln.strip() and not ln.startswith("Generating")]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("name,args,fragments", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_bad_file_is_one_clear_line(name, args, fragments):
    line = _run(["show", "--data-files", str(BAD / name), *args])
    for fragment in fragments:
        assert fragment in line, line


def _build_fails(args: list[str], out: Path) -> str:
    from cli import advmine

    result = CliRunner().invoke(advmine, ["build", *args, "--out", str(out)])
    lines = [ln for ln in result.stderr.splitlines() if ln.strip() and not ln.startswith(("Generating", "Map"))]
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output and not out.exists()
    return lines[0]


@pytest.mark.parametrize("name,args,fragments", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_bad_file_through_advmine_build(name, args, fragments, tmp_path):
    """The same corpus through `advmine build --data-files`: the same one line, exit 2, no output directory."""
    line = _build_fails(["--task", "mnli", "--langs", "sw", "--translator", "identity", "--langid", "off",
                         "--data-files", str(BAD / name), *args], tmp_path / "out")
    for fragment in fragments:
        assert fragment in line, line


BUILD_ARGS = [  # argument sets refused before any work
    (["--langs", "xx"], "unknown language in --langs 'xx'"),
    (["--langs", "sw", "--select", "random", "--budget", "0"], "--budget 0"),
    (["--langs", "sw", "--select", "random", "--budget", "1.5"], "a count must be a whole number"),
    (["--langs", "sw", "--set", "seed=-1"], "use a seed >= 0"),
    (["--langs", "sw", "--select", "nope"], "unknown selector 'nope'"),
    (["--langs", "sw", "--select", "random", "--index", "nope"], "nope"),
    (["--langs", "qu", "--translator", "marian"], "marian: no English->qu OPUS-MT model"),
    (["--langs", "sw", "--perturb", "nope"], "nope"),
    (["--langs", "sw", "--data-files", str(BAD / "malformed.jsonl")], "--data-files needs --columns"),
    (["--langs", "sw", "--splits", "nope"], "has no split 'nope'"),
    (["--langs", "sw", "--translator", "nope"], "unknown translator 'nope'"),
]


@pytest.mark.parametrize("args,fragment", BUILD_ARGS, ids=[a[-1] for a, _ in BUILD_ARGS])
def test_bad_build_arguments_fail_before_any_work(args, fragment, tmp_path):
    import time

    t0 = time.monotonic()
    line = _build_fails(["--task", "mnli", "--kit", *args], tmp_path / "out")
    assert fragment in line and time.monotonic() - t0 < 10, line


def test_bad_label_in_a_native_xtreme_file():
    line = _run(["show", "xnli", "--split", "dev", "--lang", "sw", "--data-dir", str(BAD / "data")])
    assert "dev-sw.tsv:3:" in line and "field 'label'" in line and "'contradicts'" in line


def test_unknown_task_and_language():
    assert "did you mean: xnli" in _run(["show", "xnlj", "--kit"])
    line = _run(["show", "xnli", "--split", "test", "--lang", "sv", "--data-dir", str(BAD / "data")])
    assert "unknown language for xnli 'sv'" in line and "sw" in line


def test_unknown_split_and_missing_file(tmp_path):
    assert "unknown split for xnli 'validation'" in _run(["show", "xnli", "--split", "validation", "--kit"])
    line = _run(["show", "xnli", "--split", "test", "--lang", "ar", "--data-dir", str(tmp_path)])
    assert "no test files for language ar" in line and "xnli/test-ar.tsv" in line


def test_column_mapping_must_be_field_equals_column():
    line = _run(["show", "--data-files", str(BAD / "malformed.jsonl"), "--columns", "text_a"])
    assert "is not FIELD=COLUMN" in line


def test_build_options_are_checked_before_any_work(tmp_path):
    """A typo in --langs, a zero or fractional-count budget and a negative seed fail at once, before loading."""
    import time

    from cli import advmine

    base = ["build", "--task", "mnli", "--kit", "--out", str(tmp_path / "o")]
    cases = {("--langs", "xx"): "unknown language in --langs 'xx'",
             ("--langs", "sw", "--select", "random", "--budget", "0"): "--budget 0",
             ("--langs", "sw", "--select", "random", "--budget", "1.5"): "a count must be a whole number",
             ("--langs", "sw", "--set", "seed=-1"): "--seed -1: use a seed >= 0"}
    for args, message in cases.items():
        t0 = time.monotonic()
        res = CliRunner().invoke(advmine, base + list(args))
        assert res.exit_code == 2 and message in res.stderr, (args, res.output)
        assert time.monotonic() - t0 < 5 and not (tmp_path / "o").exists()


def test_negative_seeds_are_refused_up_front(tmp_path):
    from stilts.compare import load_grid
    from stilts.train.config import resolve

    with pytest.raises(StiltsError, match="train.seed must be >= 0"):
        resolve(None, {"out": str(tmp_path), "target": "xnli", "source": "kit", "train.seed": -1})
    grid = tmp_path / "g.yaml"
    grid.write_text("name: g\nout: o\nseeds: [0, -1]\n")
    with pytest.raises(StiltsError, match="seeds >= 0"):
        load_grid(str(grid), {})


def test_empty_file_and_unwritable_out_are_one_line(tmp_path):
    from cli import advmine

    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n  \n")
    res = CliRunner().invoke(stilts, ["show", "--data-files", str(empty), "--columns", "text_a=a,text_b=b,label=l",
                                      "--labels", "x,y"])
    assert res.exit_code == 2 and f"{empty}: no rows" in res.stderr and "Traceback" not in res.output
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = CliRunner().invoke(advmine, ["build", "--task", "mnli", "--langs", "sw", "--kit", "--limit", "5",
                                       "--out", str(blocker / "sub")])
    assert res.exit_code == 2 and "cannot write there" in res.stderr and blocker.read_text() == "x"


def test_stilts_train_without_out_names_the_option():
    """Before, `stilts train` without --out said "experiment config.out: missing" (issue 35, point 5)."""
    from cli import stilts

    res = CliRunner().invoke(stilts, ["train", "--intermediate", "mnli", "--target", "xnli", "--kit"])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        "error: stilts train needs a run directory: pass --out DIR (or set `out:` in the --config YAML)"]
