"""Translation quality in every build, the reference (oracle) translator, and the evaluation rows a reference build
may not train on (issue 33, points 1 and 3), on ../shared/data's real XNLI, PAWS-X and Tatoeba files."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from datasets import load_from_disk

from advmine.build import build
from advmine.config import resolve
from advmine.inspect_dataset import inspect_text
from advmine.parallel import normalise, references, spans, used_rows
from advmine.quality import below_floor, bleu_tokenizer, corpus_scores
from stilts.compare.eval_overlap import Rows, check, evaluated_rows, trained_rows
from stilts.core.errors import StiltsError

QUIET = {"log": lambda m: None}
REPO = Path(__file__).resolve().parents[1]


def _xnli(shared: Path, lang: str) -> list[list[str]]:
    with gzip.open(shared / "xnli" / f"dev-{lang}.tsv.gz", "rt", encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f]


def _build(tmp: Path, shared: Path, name: str = "out", **kw) -> dict:
    cfg = resolve(None, {"task": "xnli", "splits": ["dev"], "source": "data-dir", "data_dir": str(shared),
                         "out": str(tmp / name), "cache_dir": str(tmp / "cache"), **kw})
    return build(cfg, **QUIET)


def _quality(result: dict) -> dict:
    return next(s for s in result["stats"] if s.name == "quality").info


def test_references_match_the_english_text_after_whitespace_normalisation(shared_data):
    refs = references("de", ("xnli",), "data-dir", str(shared_data))
    en, de = _xnli(shared_data, "en"), _xnli(shared_data, "de")
    assert refs.get(en[900][1]).text == de[900][1] and refs.get(en[900][1]).row == 900
    assert refs.get("  " + en[900][1].replace(" ", "   ") + "\n").text == de[900][1]
    assert refs.get(en[900][1].lower()) is None or en[900][1].lower() == en[900][1]   # exact, not case-folded
    assert refs.get("A sentence no benchmark holds.") is None
    assert refs.read == ["xnli/dev (2490 rows)", "xnli/test (5010 rows)"]
    # XNLI repeats each premise over three rows: the hypotheses of rows 900-902 reach those rows whole, and their
    # shared premise the neighbours that hold it too
    texts = [en[i][j] for i in (900, 901, 902) for j in (0, 1)]
    used = used_rows(refs, texts)["xnli/dev"]
    assert [900, 902] in used["whole"] or used["whole"] == [[900, 902]]
    assert spans([5, 3, 4, 9]) == [[3, 5], [9, 9]]


def test_references_of_pawsx_and_tatoeba_and_their_conflicts(shared_data):
    refs = references("de", ("pawsx", "tatoeba"), "data-dir", str(shared_data))
    assert refs.read == ["pawsx/dev (2000 rows)", "pawsx/test (2000 rows)", "tatoeba/test (1000 rows)"]
    assert refs.conflicts > 0          # PAWS-X reuses sentences across pairs, translated independently
    tatoeba = (shared_data / "tatoeba" / "tatoeba.deu-eng.eng").read_text(encoding="utf-8").splitlines()
    deu = (shared_data / "tatoeba" / "tatoeba.deu-eng.deu").read_text(encoding="utf-8").splitlines()
    hit = refs.get(tatoeba[5])
    assert hit is not None and (hit.benchmark == "pawsx" or hit.text == deu[5])
    assert references("sw", ("pawsx",), "data-dir", str(shared_data)).table == {}   # PAWS-X has no Swahili


def test_bleu_tokenizer_follows_the_script_and_scores_come_from_sacrebleu():
    assert [bleu_tokenizer(x) for x in ("de", "zh", "th", "sw")] == ["13a", "zh", "char", "13a"]
    s = corpus_scores(["Der Hund schläft."], ["Der Hund schläft."], "de")
    assert s["chrf"] == 100.0 and s["bleu"] == 100.0 and "nw:2" in s["chrf_signature"]
    assert below_floor(20.0, 25.0, "copy") and not below_floor(30.0, 25.0, "copy")
    assert below_floor(100.0, 100.0, "copy") is False and below_floor(None, 3.0, "copy") is None
    assert below_floor(30.0, None, 40) and below_floor(30.0, None, "copy") is None


def test_dictionary_build_shows_chrf_and_bleu_per_language_in_stats_card_and_inspect(tmp_path, shared_data):
    result = _build(tmp_path, shared_data, langs=["de", "th"], skip=800, limit=40)
    info = _quality(result)["dev"]
    for lang in ("de", "th"):
        r = info[lang]["reference"]
        assert r["rows"] == 40 and r["segments"] == 80 and 0 < r["chrf"] < 100 and "bleu" in r
        assert r["used"]["xnli/dev"]["whole"] == [[800, 839]]
    assert info["th"]["reference"]["bleu_tokenize"] == "char" and info["de"]["reference"]["chrf"] > 15
    # Thai has only the kit's synthetic lexicon: no better than a copy of the English, said in one warning line
    assert "no better than a copy" in info["th"]["warning"] and "warning" not in info["de"]
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "## Translation quality" in card and "| dev | de | 40 | 40 |" in card and "chrF++" in card
    text = inspect_text(tmp_path / "out", rows=0)
    assert "quality: chrF++" in text and "copy" in text and "warning: th" in text
    rows = load_from_disk(str(tmp_path / "out"))["dev"]
    assert {"quality_chrf", "quality_copy_chrf", "quality_roundtrip", "quality_ok"} <= set(rows.column_names)
    th = rows.filter(lambda x: x == "th", input_columns="lang")
    assert sum(not ok for ok in th["quality_ok"]) == info["th"]["below_floor"] > 0


def test_quality_drop_removes_the_rows_below_the_floor(tmp_path, shared_data):
    flagged = _quality(_build(tmp_path, shared_data, "flag", langs=["th"], skip=800, limit=30))["dev"]["th"]
    dropped = _build(tmp_path, shared_data, "drop", langs=["th"], skip=800, limit=30, quality={"mode": "drop"})
    step = next(s for s in dropped["stats"] if s.name == "quality")
    assert step.dropped == {"quality_below_floor:th": flagged["below_floor"]}
    assert dropped["rows"]["dev"] == 30 - flagged["below_floor"]


def test_reference_build_scores_100_and_drops_and_counts_rows_without_a_reference(tmp_path, shared_data):
    en = _xnli(shared_data, "en")
    rows = [{"premise": en[i][0], "hypothesis": en[i][1], "label": en[i][2]} for i in (810, 811, 812)]
    rows[1]["premise"] = "  " + rows[1]["premise"].replace(" ", "  ")   # whitespace differs: still matched
    rows.append({"premise": "No benchmark holds this premise.", "hypothesis": "Nor this.", "label": "neutral"})
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = build(resolve(None, {"task": "xnli", "langs": ["de", "sw"], "source": "data-dir",
                                  "data_dir": str(shared_data), "data_files": [str(data)],
                                  "columns": "text_a=premise,text_b=hypothesis,label=label",
                                  "translator": {"name": "reference", "reference": "xnli"},
                                  "out": str(tmp_path / "ref"), "cache_dir": str(tmp_path / "cache")}), **QUIET)
    assert result["rows"]["train"] == 6
    translate = next(s for s in result["stats"] if s.name == "translate")
    assert translate.dropped == {"no_reference:de": 1, "no_reference:sw": 1}
    assert translate.info["train"]["de"]["used_rows"] == {"xnli/dev": {"whole": [[810, 812]], "partly": []}}
    de = _xnli(shared_data, "de")
    built = load_from_disk(str(tmp_path / "ref"))["train"]
    assert [r["text_b"] for r in built if r["lang"] == "de"] == [de[i][1] for i in (810, 811, 812)]
    q = _quality(result)["train"]
    assert all(q[lang]["reference"]["chrf"] == 100.0 == q[lang]["reference"]["bleu"] for lang in ("de", "sw"))
    card = (tmp_path / "ref" / "README.md").read_text(encoding="utf-8")
    assert "1 rows dropped (no_reference)" in card and "human translations of xnli/dev rows 810-812" in card


def test_a_tagging_task_refuses_the_reference_translator(tmp_path, shared_data):
    cfg = resolve(None, {"task": "panx", "langs": ["de"], "source": "data-dir", "data_dir": str(shared_data),
                         "limit": 5, "out": str(tmp_path / "o"),
                         "translator": {"name": "reference"}})
    with pytest.raises(StiltsError, match="tagging task"):
        build(cfg, **QUIET)


@pytest.mark.parametrize("overrides, message", [
    ({"quality": {"floor": "high"}}, "quality.floor 'high': 'copy' or a chrF\\+\\+ score"),
    ({"quality": {"floor": 120}}, "quality.floor 120.0: a chrF\\+\\+ score is in 0..100"),
    ({"quality": {"references": "xnly"}}, "unknown parallel benchmark 'xnly'; did you mean: xnli"),
    ({"translator": {"name": "reference", "reference": "paws"}}, "unknown parallel benchmark 'paws'"),
    ({"skip": -1}, "--skip -1"),
])
def test_bad_quality_options_are_one_line(overrides, message):
    with pytest.raises(StiltsError, match=message):
        resolve(None, {"task": "xnli", "langs": ["de"], "out": "x", **overrides})


def test_rows_a_reference_build_trained_on_are_refused_as_evaluation_rows(tmp_path, shared_data):
    _build(tmp_path, shared_data, "ref", langs=["de"], skip=800, limit=20,
           translator={"name": "reference", "reference": "xnli"})
    trained = trained_rows(tmp_path / "ref")
    assert Rows("xnli", "dev", "de", 800, 819, "ref's human translations") in trained
    assert Rows("xnli", "dev", "en", 800, 819, "ref's English source") in trained
    ok = evaluated_rows("xnli", "dev", ["en", "de"], 500, 300, 2490, 500, 2490)   # rows 500-799, selection 0-499
    check("c", trained, ok)
    bad = evaluated_rows("xnli", "dev", ["de"], 700, 300, 2490, 500, 2490)        # rows 700-999
    with pytest.raises(StiltsError, match=r"^c: ref's human translations holds xnli dev rows 800-819 \(de\).*"
                                          r"rows 800-819 would be trained on and scored"):
        check("c", trained, bad)


GRID = """
name: overlap
out: {out}
model: kit
source: data-dir
data_dir: {data}
seeds: [0]
targets: [xnli]
baseline: english
eval: {{langs: [en, de], skip: {skip}, limit: 300}}
datasets:
  reference-de:
    task: xnli
    splits: [dev]
    skip: 800
    limit: 20
    langs: [de]
    translator: {{name: reference, reference: xnli}}
    langid: "off"
conditions:
  english: {{intermediate: [mnli]}}
  reference: {{intermediate: ["@reference-de"]}}
"""


@pytest.mark.parametrize("skip, refused", [(500, False), (700, True)])
def test_stilts_compare_refuses_a_grid_that_evaluates_its_reference_rows_in_one_line(tmp_path, shared_data, skip,
                                                                                       refused):
    grid = tmp_path / "grid.yaml"
    grid.write_text(GRID.format(out=tmp_path / "g", data=shared_data, skip=skip), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(REPO / "cli.py"), "compare", str(grid), "--prepare"],
                          capture_output=True, text=True, cwd=REPO, env={"ADVMINE_CACHE": str(tmp_path / "cache"),
                                                                         "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin"})
    if refused:
        assert proc.returncode != 0
        error = [line for line in proc.stderr.splitlines() if "would be trained on and scored" in line]
        assert len(error) == 1 and "reference/xnli/seed0" in error[0] and "--skip 1000" in error[0]
        assert "Traceback" not in proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr[-2000:]


def test_normalise_collapses_every_kind_of_whitespace():
    assert normalise(" a\tb \n c  ") == "a b c"
