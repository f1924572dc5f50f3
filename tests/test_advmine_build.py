"""advmine build, part 1: pipeline, translators, cache, language ID, atomic output, card, shards."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from datasets import load_from_disk

from advmine.build import build
from advmine.config import BuildConfig, TranslatorConfig, resolve
from advmine.translators.seq2seq import CODES, length_batches
from cli import advmine
from conftest import FIXTURES, REPO
from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task, load

QUIET = {"log": lambda m: None}


def cfg(tmp: Path, **kw) -> BuildConfig:
    base = {"task": "mnli", "langs": ["sw", "th", "ar"], "out": str(tmp / "out"), "source": "kit",
            "cache_dir": str(tmp / "cache")}
    base.update(kw)
    return resolve(None, base)


def translate_info(result: dict) -> dict:
    return next(s for s in result["stats"] if s.name == "translate").info["train"]


def test_readme_example_offline_on_the_kit(tmp_path):
    out = tmp_path / "mnli-sw-th-ar"
    res = CliRunner().invoke(advmine, ["build", "--task", "mnli", "--langs", "sw,th,ar", "--kit", "--out", str(out),
                                       "--cache-dir", str(tmp_path / "cache")])
    assert res.exit_code == 0, res.output
    dd = load_from_disk(str(out))
    train = dd["train"]
    assert len(train) == 3 * 3000 and set(train["lang"]) == {"sw", "th", "ar"}
    assert {"orig_id", "src_lang", "lang", "translator", "model_id", "perturbation"} <= set(train.column_names)
    assert set(train["translator"]) == {"dictionary"} and set(train["src_lang"]) == {"en"}
    assert train.features["label"].names == ["entailment", "neutral", "contradiction"]
    th = train.filter(lambda x: x == "th", input_columns="lang")
    assert all("\u0e00" <= t[0] <= "\u0e7f" for t in th["text_a"][:20])  # Thai script, no spaces between words
    card = (out / "README.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["language"] == ["ar", "sw", "th"] and meta["task_categories"] == ["text-classification"]
    assert "Content fingerprint" in card and "## Language ID" in card and "coverage" in card.lower()
    assert (out / "parquet" / "train.parquet").is_file() and (out / "build.yaml").is_file()
    stats = json.loads((out / "stats.json").read_text())
    assert [s["name"] for s in stats["steps"]] == ["load", "translate", "langid", "quality"]
    assert all(s["seconds"] >= 0 and s["rows_out"] for s in stats["steps"])


def test_rerun_skips_done_steps_and_warm_cache_makes_no_model_calls(tmp_path):
    first = build(cfg(tmp_path), **QUIET)
    assert all(d["model_calls"] == d["strings"] > 0 for d in translate_info(first).values())
    again = build(cfg(tmp_path), **QUIET)  # same out: every step's marker matches
    assert all(s.skipped for s in again["stats"]) and again["fingerprint"] == first["fingerprint"]
    other = build(cfg(tmp_path, out=str(tmp_path / "other")), **QUIET)  # new work dir, warm cache
    assert all(d["model_calls"] == 0 and d["cache_hits"] == d["strings"] for d in translate_info(other).values())
    assert other["fingerprint"] == first["fingerprint"]
    changed = build(cfg(tmp_path, langs=["sw"]), **QUIET)  # config changed: translate reruns
    assert [s.skipped for s in changed["stats"]] == [True, False, False, False]


def test_config_file_and_overrides(tmp_path):
    f = tmp_path / "build.yaml"
    f.write_text(yaml.safe_dump({"task": "mnli", "langs": "sw,th", "source": "kit", "out": str(tmp_path / "o"),
                                 "translator": {"name": "dictionary", "num_beams": 2}, "limit": 10}))
    c = resolve(str(f), {"langs": "ar", "translator.max_tokens": 1024})
    assert c.langs == ["ar"] and c.translator.num_beams == 2 and c.translator.max_tokens == 1024 and c.limit == 10
    f.write_text(yaml.safe_dump({"task": "mnli", "langs": "sw", "out": "x", "translater": {"name": "x"}, "limit": "ten"}))
    with pytest.raises(StiltsError) as e:
        resolve(str(f), {})
    assert "translater: unknown key" in str(e.value) and "limit: expected" in str(e.value)
    with pytest.raises(StiltsError, match="unknown translator 'dictionery'; did you mean: dictionary"):
        build(cfg(tmp_path, translator={"name": "dictionery"}), **QUIET)


def test_same_config_and_seed_same_fingerprint_fresh_caches(tmp_path):
    a = build(cfg(tmp_path / "a", langs=["sw"], limit=200), **QUIET)
    b = build(cfg(tmp_path / "b", langs=["sw"], limit=200), **QUIET)
    assert a["fingerprint"] == b["fingerprint"]


def test_tiny_marian_through_the_hub_translator_path(tmp_path, tiny_marian):
    c = cfg(tmp_path, langs=["sw"], limit=40, translator={"name": "marian", "model_id": str(tiny_marian),
                                                          "max_new_tokens": 6, "max_tokens": 256})
    res = build(c, **QUIET)
    info = translate_info(res)["sw"]
    assert info["model_id"] == str(tiny_marian) and info["model_calls"] == info["strings"] > 0
    ds = load_from_disk(c.out)["train"]
    assert len(ds) == 40 and set(ds["model_id"]) == {str(tiny_marian)}
    again = build(cfg(tmp_path, out=str(tmp_path / "o2"), langs=["sw"], limit=40,
                      translator={"name": "marian", "model_id": str(tiny_marian), "max_new_tokens": 6}), **QUIET)
    assert translate_info(again)["sw"]["model_calls"] == 0  # the cache key ignores the batch budget


def test_hub_translator_offline_is_one_line(tmp_path):
    t0 = time.monotonic()
    with pytest.raises(StiltsError) as e:
        build(cfg(tmp_path, langs=["sw"], limit=5, translator={"name": "nllb"}), **QUIET)
    msg = str(e.value)
    assert time.monotonic() - t0 < 10 and "\n" not in msg
    assert "facebook/nllb-200-distilled-600M" in msg and "model_id=LOCAL_DIR" in msg and "dictionary" in msg


def test_mt_language_codes_cover_xtreme_r():
    langs = {lang for t in ("xnli", "xcopa", "udpos", "panx", "xquad", "mlqa", "tydiqa", "mewslix", "lareqa", "tatoeba")
             for lang in get_task(t).languages}
    assert langs <= set(CODES["nllb"])
    assert sorted(langs - set(CODES["m2m100"])) == ["eu", "qu", "te"]


def test_length_batches_respect_the_token_budget():
    lengths = [5, 50, 7, 48, 3, 30, 30, 1]
    batches = length_batches(lengths, max_tokens=100)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) * max(lengths[i] for i in b) <= 100 or len(b) == 1
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat, reverse=True)


def test_qa_answer_projection():
    row = {"id": "q", "lang": "en", "context": "The river flows into the Ocean.", "question": "Where?",
           "answers": {"text": ["the Ocean"], "answer_start": [21]}}
    tr = {"The river flows into the Ocean.": "Mto unatiririka hadi Bahari.", "Where?": "Wapi?", "the Ocean": "bahari"}
    new, reason = get_kind("span_qa").rebuild(row, tr)
    assert reason is None and new["answers"] == {"text": ["Bahari"], "answer_start": [21]}
    assert new["context"][21:27] == "Bahari"
    new, reason = get_kind("span_qa").rebuild(row, {**tr, "the Ocean": "ziwa"})
    assert new is None and reason == "answer_not_found"


def test_qa_build_reports_projection_drops(tmp_path):
    data = FIXTURES / "data"
    res = build(cfg(tmp_path, task="squad", source="data-dir", data_dir=str(data), langs=["sw"]), **QUIET)
    info = translate_info(res)["sw"]
    dd = load_from_disk(res["out"])["train"]
    assert info["rows"] + info.get("dropped_answer_not_found", 0) == 2 == len(dd) + info.get("dropped_answer_not_found", 0)
    for r in dd:
        for text, start in zip(r["answers"]["text"], r["answers"]["answer_start"]):
            assert r["context"][start:start + len(text)] == text


def test_multiple_choice_translates_context_and_choices_not_copa_keywords(tmp_path, shared_data):
    res = build(cfg(tmp_path, task="copa", source="data-dir", data_dir=str(shared_data), langs=["sw"], limit=20),
                **QUIET)
    ds = load_from_disk(res["out"])["train"]
    assert len(ds) == 20 and set(ds["question"]) <= {"cause", "effect"}
    source = load("copa", "train", data_dir=shared_data).select(range(20))
    assert ds["label"] == source["label"] and ds["orig_id"] == source["id"]  # labels preserved by construction
    assert all(len(c) == 2 for c in ds["choices"]) and ds["choices"] != source["choices"]


def test_tagging_word_by_word_keeps_labels_and_mt_refuses(tmp_path, shared_data, tiny_marian):
    res = build(cfg(tmp_path, task="panx", source="data-dir", data_dir=str(shared_data), langs=["ar"], limit=50),
                **QUIET)
    ds = load_from_disk(res["out"])["train"]
    assert all(len(t) == len(g) for t, g in zip(ds["tokens"], ds["tags"]))
    with pytest.raises(StiltsError, match="token labels stay aligned only under word-by-word translation"):
        build(cfg(tmp_path, out=str(tmp_path / "mt"), task="panx", source="data-dir", data_dir=str(shared_data),
                  langs=["ar"], limit=5, translator={"name": "marian", "model_id": str(tiny_marian)}), **QUIET)


def test_langid_flags_or_drops_untranslated_rows(tmp_path):
    flagged = build(cfg(tmp_path, langs=["ru"], limit=30, translator={"name": "identity"}), **QUIET)
    info = next(s for s in flagged["stats"] if s.name == "langid").info["train"]["ru"]
    assert info["mismatched"] == 30 and info["mismatch_rate"] == 1.0  # English text labelled 'ru'
    dropped = build(cfg(tmp_path, out=str(tmp_path / "d"), langs=["ru"], limit=30, langid="drop",
                        translator={"name": "identity"}), **QUIET)
    assert dropped["rows"]["train"] == 0
    good = build(cfg(tmp_path, out=str(tmp_path / "g"), langs=["ru"], limit=30), **QUIET)
    assert next(s for s in good["stats"] if s.name == "langid").info["train"]["ru"]["mismatch_rate"] < 0.2


def test_shards_merge_to_the_unsharded_dataset(tmp_path):
    whole = build(cfg(tmp_path, langs=["sw"], limit=90), **QUIET)
    outs = []
    for i in range(3):
        r = build(cfg(tmp_path, out=str(tmp_path / f"s{i}"), langs=["sw"], limit=90, num_shards=3, shard_index=i),
                  **QUIET)
        outs.append(r["out"])
    res = CliRunner().invoke(advmine, ["merge", *outs, "--out", str(tmp_path / "merged")])
    assert res.exit_code == 0, res.output
    assert whole["fingerprint"] in res.output


def test_push_to_hub_offline_fails_after_writing(tmp_path):
    out = tmp_path / "pushed"
    res = CliRunner().invoke(advmine, ["build", "--task", "mnli", "--langs", "sw", "--kit", "--limit", "10",
                                       "--out", str(out), "--cache-dir", str(tmp_path / "c"), "--push-to-hub", "me/x"])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines()[-1].startswith("error: cannot reach the Hugging Face hub for push_to_hub me/x")
    assert len(load_from_disk(str(out))["train"]) == 10


def test_inspect_prints_stats_and_rows_per_language(tmp_path):
    res = build(cfg(tmp_path, langs=["sw", "zh"], limit=5), **QUIET)
    out = CliRunner().invoke(advmine, ["inspect", res["out"], "--rows", "1"])
    assert out.exit_code == 0 and res["fingerprint"] in out.output
    assert "[train / sw] 5 rows" in out.output and "[train / zh] 5 rows" in out.output
    bad = CliRunner().invoke(advmine, ["inspect", str(tmp_path)])
    assert bad.exit_code == 2 and "not an advmine dataset" in bad.stderr


def test_real_english_data_from_shared(tmp_path, shared_data):
    res = build(cfg(tmp_path, source="data-dir", data_dir=str(shared_data), langs=["sw", "ar"], limit=300), **QUIET)
    info = translate_info(res)
    assert res["rows"]["train"] == 600
    assert 0.0 < info["sw"]["coverage"] < 1.0 and 0.0 < info["ar"]["coverage"] < 1.0
    if "freedict" in info["ar"]["model_id"]:  # FreeDict's 87k Arabic entries cover most of MNLI's words
        assert info["ar"]["coverage"] > 0.8


def test_killed_build_resumes_to_the_same_dataset(tmp_path, tiny_marian):
    """kill -9 mid-translation: no output dir appears; the rerun reuses the cache and matches a clean build."""
    args = ["build", "--task", "mnli", "--langs", "sw", "--kit", "--limit", "1500", "--translator", "marian",
            "--model-id", str(tiny_marian), "--set", "translator.max_new_tokens=24", "--max-tokens", "512"]
    out, cache = tmp_path / "killed", tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-c", "from cli import advmine; advmine()", *args, "--out", str(out), "--cache-dir", str(cache)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    db = cache / "translations.sqlite"
    deadline = time.monotonic() + 120
    cached = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.is_file():
            try:
                cached = sqlite3.connect(db, timeout=1).execute("SELECT COUNT(*) FROM t").fetchone()[0]
            except sqlite3.OperationalError:
                cached = 0
            if cached > 0:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert cached > 0 and not out.exists()
    resumed = CliRunner().invoke(advmine, [*args, "--out", str(out), "--cache-dir", str(cache)])
    assert resumed.exit_code == 0, resumed.output
    clean = CliRunner().invoke(advmine, [*args, "--out", str(tmp_path / "clean"), "--cache-dir", str(tmp_path / "c2")])
    fp = lambda p: json.loads((p / "stats.json").read_text())["fingerprint"]  # noqa: E731
    assert fp(out) == fp(tmp_path / "clean")
    info = json.loads((out / "stats.json").read_text())["steps"][1]["info"]["train"]["sw"]
    assert info["cache_hits"] >= cached > 0 and info["model_calls"] < info["strings"]


def test_script_aware_joining():
    from advmine.scripts import join_words, split_words

    assert join_words(["ผู้หญิง", "กำลัง", "อ่าน", "."], "th") == "ผู้หญิงกำลังอ่าน."
    assert join_words(["Our", "hearts", "หนัก"], "th") == "Our heartsหนัก"  # untranslated Latin keeps its spaces
    assert join_words(["Well", ",", "well", ",", "ไม่", "."], "th") == "Well, well,ไม่."
    assert join_words(["mtoto", "anacheza", ",", "sawa", "."], "sw") == "mtoto anacheza, sawa."
    assert split_words("ผู้หญิงกำลังอ่านหนังสือ", "th") == ["ผู้หญิง", "กำลัง", "อ่านหนังสือ"]  # pythainlp newmm
    assert split_words("孩子在读书", "zh") == list("孩子在读书")


def test_anli_dev_from_shared(tmp_path, shared_data):
    res = build(cfg(tmp_path, task="anli", splits=["dev"], source="data-dir", data_dir=str(shared_data),
                    langs=["ar"], limit=100), **QUIET)
    assert res["rows"] == {"dev": 100}


def test_dictionary_sources_are_named_in_the_model_id():
    from pathlib import Path as P

    from advmine.translators import make_translator

    tr = make_translator(TranslatorConfig())
    has_freedict = P("/usr/share/dictd/freedict-eng-swh.index").is_file()
    assert tr.model_id("sw").startswith("lexicon:lexicon/en-sw.tsv")
    assert ("freedict-eng-swh" in tr.model_id("sw")) == has_freedict
    assert "freedict" not in tr.model_id("th")  # no FreeDict for Thai: the kit lexicon only
    with pytest.raises(StiltsError, match="no lexicon for en-vi"):
        tr.model_id("vi")


def test_marian_table_tokens_and_missing_languages(tmp_path, tiny_marian, monkeypatch):
    """Languages without an opus-mt-en-xx repo map to a group model with its target token; a language with
    no English->xx Marian model fails before any work, naming NLLB/M2M100."""
    from advmine.config import TranslatorConfig
    from advmine.translators import make_translator

    tr = make_translator(TranslatorConfig(name="marian"))
    assert (tr.model_id("th"), tr.source_prefix("th")) == ("Helsinki-NLP/opus-mt-en-mul", ">>tha<< ")
    assert (tr.model_id("zh"), tr.source_prefix("zh")) == ("Helsinki-NLP/opus-mt-en-zh", ">>cmn_Hans<< ")
    assert (tr.model_id("tr"), tr.source_prefix("tr")) == ("Helsinki-NLP/opus-mt-tc-big-en-tr", "")
    assert (tr.model_id("sw"), tr.source_prefix("sw")) == ("Helsinki-NLP/opus-mt-en-sw", "")
    res = CliRunner().invoke(advmine, ["build", "--task", "mnli", "--langs", "sw,qu", "--kit", "--translator",
                                       "marian", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "marian: no English->qu OPUS-MT model" in res.stderr and "nllb" in res.stderr
    assert not (tmp_path / "o").exists()
    # the token reaches the model's input
    mine = make_translator(TranslatorConfig(name="marian"))
    real_load = mine._load
    monkeypatch.setattr(mine, "_load", lambda model_id: real_load(str(tiny_marian)))
    tok, _, _ = real_load(str(tiny_marian))
    calls = []
    monkeypatch.setattr(type(tok), "__call__", lambda self, texts, *a, **k: calls.append(list(texts)) or
                        type(tok).__mro__[1].__call__(self, texts, *a, **k))
    mine.translate(["a cat"], "th")
    assert calls and calls[0] == [">>tha<< a cat"]


def test_build_from_the_users_own_file(tmp_path):
    """`--data-files` with a column mapping replaces the task's source; bad rows are one line naming file, row
    and field, exit code 2, and no output directory."""
    import json as _json

    good = tmp_path / "mine.jsonl"
    rows = [{"p": f"A man plays {i}.", "h": "Someone plays.", "gold": ["entailment", "neutral"][i % 2]} for i in range(12)]
    good.write_text("\n".join(_json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "o"
    def args(data, dest, columns=("--columns", "text_a=p,text_b=h,label=gold")):
        return ["build", "--task", "mnli", "--langs", "sw", "--data-files", str(data), *columns, "--translator",
                "identity", "--langid", "off", "--out", str(dest)]

    res = CliRunner().invoke(advmine, args(good, out))
    assert res.exit_code == 0, res.output
    ds = load_from_disk(str(out))["train"]
    assert len(ds) == 12 and ds[0]["text_a"] == "A man plays 0." and ds.features["label"].names[:2] == ["entailment", "neutral"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text() + _json.dumps({"p": "x", "h": "y", "gold": "maybe"}) + "\n")
    res = CliRunner().invoke(advmine, args(bad, tmp_path / "o2"))
    assert res.exit_code == 2 and f"{bad}:13: field 'label'" in res.stderr and "maybe" in res.stderr
    assert not (tmp_path / "o2").exists()
    res = CliRunner().invoke(advmine, args(good, tmp_path / "o3", columns=()))
    assert res.exit_code == 2 and "--data-files needs --columns" in res.stderr
