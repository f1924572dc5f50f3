"""The apertium translator against the real Debian Apertium (CI installs it with `make setup`; no skip: a machine
without it fails here loudly). The framing is proved by behaviour: a batch translates exactly as each segment
does alone, reserved characters survive, and a shifted output is refused rather than returned."""
from __future__ import annotations

import gzip
import shutil
import subprocess

import pytest
from datasets import load_from_disk

import advmine.translators.apertium as ap
from advmine.build import build
from advmine.config import resolve
from advmine.translators import TRANSLATORS, make_translator
from advmine.translators.base import cache_id, can_translate_back, translate_back, translator_inputs
from advmine.translators.config import TranslatorConfig
from conftest import SHARED_DATA
from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind

# Hard cases for a line-based framing: markup, every reserved character, blanks, unknown words, whitespace inside
# a segment, a lone '.', and neighbours that apertium's transfer rules reorder when they share a line.
HARD = ["The cat is on the table.", "", "   ", "<b>bold</b> and &amp; text", "A * star", "# hash", "[bracket] here ]",
        "back\\slash", "caret ^ and $ dollar", "at @ sign {brace} / slash", "Zorblaxian flibbets quorked",
        "...!?", ".", "He said hello", "+ plus ~ tilde | pipe", "*", "[", "]", "\\", "^", "$", "~", "word*star",
        "a ^", "line\nbreak\tand  tab\r\n", "nul\x00in\x07side", "I saw the red", "car yesterday", "big", "house",
        "I ❤ 日本 😀 naïve café — “quotes”"]


@pytest.fixture(scope="module")
def tr() -> ap.ApertiumTranslator:
    assert shutil.which("apertium"), ("apertium is not installed: run `make setup` (or apt-get install apertium "
                                      "apertium-eng-spa apertium-eng-cat apertium-en-gl)")
    return make_translator(TranslatorConfig(name="apertium"))


def xnli_premises(n: int) -> list[str]:
    with gzip.open(SHARED_DATA / "xnli" / "dev-en.tsv.gz", "rt", encoding="utf-8") as f:
        premises = dict.fromkeys(line.split("\t")[0] for line in f)
    return list(premises)[:n]


def test_registered_sentence_level_and_refused_by_tagging_tasks(tr):
    assert "apertium" in TRANSLATORS and "Apertium" in TRANSLATORS.get("apertium").doc
    assert tr.name == "apertium" and tr.word_level is False
    with pytest.raises(StiltsError, match="translates whole sentences"):
        get_kind("tagging").check_translator("panx", tr)


def test_xnli_sentences_become_spanish_in_one_process(tr, monkeypatch):
    texts = xnli_premises(10)
    calls, real_run = [], subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda cmd, *a, **kw: (calls.append(cmd), real_run(cmd, *a, **kw))[1])
    out = tr.translate(texts, "es")
    assert len([c for c in calls if "-z" in c]) == 1          # one apertium process for the batch
    assert len(out) == 10 and all(o and o != t for o, t in zip(out, texts))
    words = " ".join(out).lower().split()
    assert {"el", "la", "que", "de"} & set(words) and "the" not in words
    assert all("\n" not in o and "*" not in o for o in out)


def test_batch_is_exactly_each_segment_alone(tr):
    """No word crosses a segment boundary: "I saw the red" / "car yesterday" share a line in txt mode and come
    back "Vi el coche" / "rojo ayer"; here each is what it is alone."""
    batch = tr.translate(HARD + xnli_premises(20), "es")
    alone = [tr.translate([t], "es")[0] for t in HARD + xnli_premises(20)]
    assert batch == alone
    red = batch[HARD.index("I saw the red")]
    assert "rojo" in red and "coche" not in red


def test_reserved_characters_blanks_and_unknown_words(tr):
    out = dict(zip(HARD, tr.translate(HARD, "es")))
    assert out[""] == "" and out["   "] == ""
    for text in HARD[3:10] + ["+ plus ~ tilde | pipe", "word*star", "a ^"]:
        for ch in "<>&;*#[]\\^$@{}/+~|":
            assert out[text].count(ch) == text.count(ch), (text, out[text], ch)
    for ch in ["*", "[", "]", "\\", "^", "$", "~", "...!?", "."]:
        assert out[ch] == ch
    assert out["<b>bold</b> and &amp; text"].startswith("<b>") and "</b>" in out["<b>bold</b> and &amp; text"]
    assert out["Zorblaxian flibbets quorked"].startswith("Zorblaxian")      # -u: unknown, kept, no '*' mark
    assert out["The cat is on the table."] == "El gato es en la mesa."        # the final '.' survives the NUL
    assert out["He said hello"] == "Dijo hola"                                # no leading blank left
    assert all(ch not in o for o in out.values() for ch in "\n\t\r\x00\x07")
    assert "日本" in out["I ❤ 日本 😀 naïve café — “quotes”"]


def test_300_segments_and_a_very_long_one_in_one_call(tr):
    texts = xnli_premises(299) + [" ".join(["The quick brown fox jumps over the lazy dog near the red house."] * 400)]
    out = tr.translate(texts, "es")
    assert len(out) == 300 and all(out)
    assert out[-1].count("zorro") == 400 and out[0] == tr.translate([texts[0]], "es")[0]


def test_other_pairs_and_the_reverse_direction(tr):
    assert can_translate_back(tr, "es") and can_translate_back(tr, "ca") and can_translate_back(tr, "gl")
    assert not can_translate_back(tr, "de")
    back = translate_back(tr, ["El gato está en la mesa.", "", "Zorblaxian [x] *"], "es")
    assert back[0].lower().startswith("the cat") and "table" in back[0] and back[1:] == ["", "Zorblaxian [x] *"]
    assert tr.translate(["The cat is on the table."], "ca") == ["El gat és en la taula."]
    assert "mesa" in tr.translate(["The cat is on the table."], "gl")[0]
    assert "cat" in tr.translate_back(tr.translate(["The cat is on the table."], "ca"), "ca")[0]


def test_provenance_inputs_and_cache_id_follow_the_data(tr, monkeypatch):
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "apertium-eng-spa"], capture_output=True,
                             text=True).stdout
    assert version and tr.model_id("es") == f"apertium:eng-spa={version}"
    files = translator_inputs(tr, "es")
    assert files[0] == ap.DATA_DIR / "modes" / "eng-spa.mode" and all(p.is_file() for p in files)
    assert {"eng-spa.autobil.bin", "eng-spa.automorf.bin", "eng-spa.t1x.bin"} <= {p.name for p in files}
    before = cache_id(tr, "es")
    assert before.startswith(tr.model_id("es") + "@")
    real = ap.file_digest
    monkeypatch.setattr(ap, "file_digest", lambda p: "0" * 64 if p.name == "eng-spa.autobil.bin" else real(p))
    assert cache_id(tr, "es") != before and tr.model_id("es") == f"apertium:eng-spa={version}"


def test_unknown_pair_is_refused_at_config_time_in_one_line(tr, tmp_path):
    with pytest.raises(StiltsError) as e:
        tr.check("de")
    msg = str(e.value)
    assert "\n" not in msg and "no installed pair for en-de" in msg
    assert "installed: en-ca (eng-cat), en-es (eng-spa), en-gl (en-gl)" in msg and "apt-get install" in msg
    with pytest.raises(StiltsError, match="no installed pair for en-de"):
        resolve(None, {"task": "mnli", "langs": ["de"], "source": "kit", "out": str(tmp_path / "o"),
                       "translator": {"name": "apertium"}})


def test_missing_binary_says_what_to_install(tr, monkeypatch):
    monkeypatch.setattr(ap, "BINARY", "apertium-not-installed-here")
    for call in (lambda: tr.check("es"), lambda: tr.translate(["Hello."], "es")):
        with pytest.raises(StiltsError) as e:
            call()
        assert "\n" not in str(e.value) and "apt-get install apertium apertium-eng-spa" in str(e.value)
        assert "make setup" in str(e.value)


def test_apertium_failure_surfaces_stderr_in_one_line(tr, monkeypatch, tmp_path):
    fake = tmp_path / "fake-apertium"
    fake.write_text('#!/bin/sh\n[ "$1" = -l ] && { echo "  eng-spa"; exit 0; }\n'
                    'echo "Error: Mode eng-spa is broken" >&2; echo "second line" >&2; exit 3\n')
    fake.chmod(0o755)
    monkeypatch.setattr(ap, "BINARY", str(fake))
    with pytest.raises(StiltsError) as e:
        tr.translate(["Hello."], "es")
    assert str(e.value) == "apertium eng-spa failed (exit 3): Error: Mode eng-spa is broken second line"


def test_misaligned_output_is_refused_naming_the_segment(tr, monkeypatch):
    """A lost NUL (what a trailing backslash-escaped '^' does to lrx-proc) shifts every later segment."""
    def lost_nul(cmd, *a, **kw):
        return subprocess.CompletedProcess(cmd, 0, "[0]Uno \0[1]Dos [2]Tres \0\0\0".encode(), b"")
    monkeypatch.setattr(subprocess, "run", lost_nul)
    with pytest.raises(StiltsError) as e:
        tr._run(["One", "Two ^", "Three"], "eng-spa")
    assert "misaligned at segment 2 of 3 ('Two ^')" in str(e.value) and "\n" not in str(e.value)
    monkeypatch.setattr(subprocess, "run", lambda cmd, *a, **kw: subprocess.CompletedProcess(
        cmd, 0, "[0]Uno \0[1]Dos \0Extra\0".encode(), b""))
    with pytest.raises(StiltsError, match="more segments than the 2 sent"):
        tr._run(["One", "Two"], "eng-spa")


def test_advmine_build_end_to_end(tmp_path):
    cfg = resolve(None, {"task": "mnli", "langs": ["es"], "source": "kit", "out": str(tmp_path / "out"),
                         "cache_dir": str(tmp_path / "cache"), "translator": {"name": "apertium"}, "limit": 10,
                         "include_source": True})
    result = build(cfg, log=lambda m: None)
    rows = load_from_disk(str(tmp_path / "out"))["train"].to_list()
    english = {r["id"]: r for r in rows if r["translator"] == "source"}
    spanish = [r for r in rows if r["translator"] != "source"]
    assert len(english) == len(spanish) == 10 and {r["lang"] for r in spanish} == {"es"}
    assert {r["translator"] for r in spanish} == {"apertium"}
    assert all(r["model_id"].startswith("apertium:eng-spa") for r in spanish)
    for row in spanish:
        src = english[row["orig_id"]]
        assert row["text_a"] != src["text_a"] and row["text_b"] != src["text_b"] and row["label"] == src["label"]
    words = " ".join(r["text_a"] + " " + r["text_b"] for r in spanish).lower().split()
    assert {"el", "la", "de", "que", "es"} & set(words)
    info = next(s for s in result["stats"] if s.name == "translate").info["train"]["es"]
    assert info["model_calls"] == info["strings"] > 0 and info["model_id"].startswith("apertium:eng-spa")
