"""advmine's steps own their config, their key inputs and their card section; the embed step computes the vectors
once per build (issue 15, point 5)."""
from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from datasets import load_from_disk

from advmine.build import build, build_steps, work_dir
from advmine.config import resolve
from advmine.embedders import HashingEmbedder
from advmine.pipeline import Pipeline, StepStats, step_key
from advmine.vectors import VectorStore

QUIET = {"log": lambda m: None}

# Content fingerprints of small kit builds made with the code before this change (commit ac413e1), by
#
#   CASES = {...as below...}
#   for name, extra in CASES.items():
#       with tempfile.TemporaryDirectory() as tmp:
#           os.environ["ADVMINE_CACHE"] = str(Path(tmp) / "cache")
#           cfg = resolve(None, {"source": "kit", "out": str(Path(tmp) / "out"), "embed": {"name": "hashing"}, **extra})
#           print(name, build(cfg, log=lambda m: None)["fingerprint"])
#
# run as `cd /tmp/base && PYTHONPATH=/tmp/base python script.py` on `git archive HEAD` of that commit.
# The same rows must come out of the steps that now own their configs and share one set of vectors.
CASES = {
    "dictionary": ({"task": "mnli", "langs": ["sw", "th"], "limit": 40}, "b30496e47dd10efc"),
    "codeswitch_knn": ({"task": "mnli", "langs": ["sw", "th"], "limit": 40, "perturb": ["codeswitch"],
                        "select": {"name": "knn-disagreement", "budget": 0.3}}, "128a58ccbfa86a2b"),
    "random": ({"task": "mnli", "langs": ["sw", "th"], "limit": 40, "select": {"name": "random"}},
               "16d9e4de58c7d6bd"),
    "aflite": ({"task": "mnli", "langs": ["sw", "th"], "limit": 40, "select": {"name": "aflite", "budget": 0.5}},
               "a18e228772628ff9"),
    "contamination_only": ({"task": "mnli", "langs": ["sw", "ar"], "limit": 40, "contamination": "xnli",
                            "include_source": True, "langid": "drop"}, "a02b183afa8abc93"),
}


def _cfg(tmp: Path, **kw):
    return resolve(None, {"source": "kit", "out": str(tmp / "out"), "embed": {"name": "hashing"},
                          "cache_dir": str(tmp / "cache"), **kw})


@pytest.mark.parametrize("case", list(CASES))
def test_fingerprints_are_those_of_the_code_before(tmp_path, monkeypatch, case):
    extra, fingerprint = CASES[case]
    monkeypatch.setenv("ADVMINE_CACHE", str(tmp_path / "cache"))
    cfg = resolve(None, {"source": "kit", "out": str(tmp_path / "out"), "embed": {"name": "hashing"}, **extra})
    assert build(cfg, **QUIET)["fingerprint"] == fingerprint


# ---- keys: derived from each step's config and the content of the files it reads ---------------------------------

def _lexicon(tmp: Path, word: str) -> Path:
    lex = tmp / "lexicons"
    lex.mkdir(exist_ok=True)
    (lex / "en-sw.tsv").write_text(f"english\tswahili\nthe\t{word}\n", encoding="utf-8")
    return lex


def _keys(cfg) -> dict[str, str]:
    steps = build_steps(cfg)
    return dict(zip([s.name for s in steps], Pipeline(steps, work_dir(cfg)).keys()))


def test_an_edited_lexicon_changes_the_translate_key_and_the_rebuilt_rows(tmp_path):
    """Before, a lexicon entered the keys by its file name only: the step marker and the translation cache kept
    serving the old translations after an edit."""
    lex = _lexicon(tmp_path, "xxone")
    cfg = _cfg(tmp_path, task="mnli", langs=["sw"], limit=5, langid="off",
               translator={"lexicon_dirs": [str(lex)]})
    before = _keys(cfg)
    first = build(cfg, **QUIET)
    assert "xxone" in " ".join(load_from_disk(cfg.out)["train"]["text_a"])
    (lex / "en-sw.tsv").write_text("english\tswahili\nthe\txxtwo\n", encoding="utf-8")
    after = _keys(cfg)
    assert after["load"] == before["load"] and after["translate"] != before["translate"]
    again = build(cfg, **QUIET)   # same out, same work dir, same translation cache
    assert [s.skipped for s in again["stats"]] == [True, False]
    text = " ".join(load_from_disk(cfg.out)["train"]["text_a"])
    assert "xxtwo" in text and "xxone" not in text and again["fingerprint"] != first["fingerprint"]
    # the rows' provenance keeps the readable id; the cache id adds the content hash
    from advmine.translators.dictionary import DictionaryTranslator

    tr = DictionaryTranslator(cfg.translator)
    assert tr.model_id("sw").startswith("lexicon:lexicons/en-sw.tsv") and "@" not in tr.model_id("sw")
    assert tr.cache_id("sw").startswith(tr.model_id("sw") + "@")
    assert lex / "en-sw.tsv" in tr.inputs("sw")


def test_every_translator_option_changes_the_translate_key(tmp_path):
    base = _keys(_cfg(tmp_path, task="mnli", langs=["sw"]))
    for option, value in [("dtype", "fp16"), ("max_tokens", 1024), ("num_beams", 2), ("freedict", False)]:
        keys = _keys(_cfg(tmp_path, task="mnli", langs=["sw"], translator={option: value}))
        assert keys["load"] == base["load"] and keys["translate"] != base["translate"], option


def test_data_files_enter_the_load_key_by_content_not_time(tmp_path):
    from advmine.steps.load import LoadStep

    f = tmp_path / "mine.csv"
    f.write_text("premise,hypothesis,label\na,b,entailment\n", encoding="utf-8")
    config = dataclasses.replace(LoadStep.configure(_cfg(tmp_path, task="mnli", langs=["sw"])),
                                 data_files=(str(f),), columns="text_a=premise,text_b=hypothesis,label=label")
    key = step_key("", LoadStep(config))
    os.utime(f, ns=(1, 1))                                        # touched: same content, same key
    assert step_key("", LoadStep(config)) == key
    f.write_text("premise,hypothesis,label\na,c,entailment\n", encoding="utf-8")   # same size, new content
    assert step_key("", LoadStep(config)) != key


def test_configs_hold_no_build_config_and_are_frozen(tmp_path):
    cfg = _cfg(tmp_path, task="mnli", langs=["sw"], perturb=["codeswitch"], select={"name": "knn-disagreement"})
    steps = build_steps(cfg)
    assert [s.name for s in steps] == ["load", "translate", "langid", "perturb", "embed", "select", "contamination"]
    for step in steps:
        assert dataclasses.is_dataclass(step.config) and step.config.__dataclass_params__.frozen
        assert not hasattr(step, "cfg")
        json.dumps(dataclasses.asdict(step.config))   # all of it enters the key


# ---- vectors: computed once per build, read by select and contamination ------------------------------------------

@pytest.fixture
def counted(monkeypatch):
    """Counts hashing embedders built and texts each one encodes."""
    made, encoded = [], Counter()
    init, encode = HashingEmbedder.__init__, HashingEmbedder.encode

    def counting_init(self, cfg):
        made.append(self)
        init(self, cfg)

    def counting_encode(self, texts):
        encoded.update(texts)
        return encode(self, texts)

    monkeypatch.setattr(HashingEmbedder, "__init__", counting_init)
    monkeypatch.setattr(HashingEmbedder, "encode", counting_encode)
    return made, encoded


def test_each_text_is_embedded_once_per_build(tmp_path, counted):
    made, encoded = counted
    extra, fingerprint = CASES["codeswitch_knn"]
    cfg = _cfg(tmp_path, **extra)
    result = build(cfg, **QUIET)
    assert result["fingerprint"] == fingerprint
    names = [s.name for s in result["stats"]]
    assert names == ["load", "translate", "langid", "perturb", "embed", "select", "contamination"]
    assert len(made) == 1                                   # one embedder: select and contamination build none
    folder = work_dir(cfg) / f"{names.index('embed'):02d}_embed" / "artefact"
    store = VectorStore.load(folder)
    assert set(encoded) == set(store.texts) and max(encoded.values()) == 1
    table = next(s for s in result["stats"] if s.name == "contamination").info["table"]
    assert table and all(d["eval_rows"] for d in table)    # the evaluation documents came from the store too
    # a changed threshold reruns contamination alone, on the saved vectors: no embedder, no text embedded
    made.clear()
    encoded.clear()
    again = build(dataclasses.replace(cfg, contamination_threshold=0.5), **QUIET)
    assert [s.name for s in again["stats"] if not s.skipped] == ["contamination"]
    assert not made and not encoded


def test_random_selection_without_contamination_builds_no_embedder(tmp_path, counted):
    made, encoded = counted
    result = build(_cfg(tmp_path, task="mnli", langs=["sw"], limit=20, select={"name": "random"},
                        contamination="off"), **QUIET)
    assert [s.name for s in result["stats"]] == ["load", "translate", "langid", "select"]
    assert not made and not encoded


def test_random_selection_embeds_for_contamination_only_after_it(tmp_path, counted):
    made, _ = counted
    result = build(_cfg(tmp_path, task="mnli", langs=["sw"], limit=20, select={"name": "random"}), **QUIET)
    assert [s.name for s in result["stats"]] == ["load", "translate", "langid", "select", "embed", "contamination"]
    assert len(made) == 1


def test_vector_store_round_trip_is_bit_identical(tmp_path):
    vec = HashingEmbedder(dataclasses.replace(resolve(None, {"task": "mnli", "langs": ["sw"], "out": "x"}).embed,
                                              name="hashing")).encode(["a cat", "a dog", "ein Hund"])
    store = VectorStore.from_mapping({t: v for t, v in zip(["a cat", "a dog", "ein Hund"], vec)})
    store.save(tmp_path / "v")
    loaded = VectorStore.load(tmp_path / "v")
    assert loaded.matrix.dtype == np.float32 and loaded.matrix.tobytes() == vec.tobytes()
    assert loaded.lookup(["a dog"])["a dog"].tobytes() == vec[1].tobytes()
    assert np.array_equal(loaded.stack(["ein Hund", "a cat"]), vec[[2, 0]])
    from stilts.core.errors import StiltsError

    with pytest.raises(StiltsError, match="no vector for 'a bird'"):
        loaded.lookup(["a bird"])


# ---- the card: each step writes its own section -----------------------------------------------------------------

def test_card_sections_come_from_the_steps_also_without_their_stats(tmp_path):
    """`advmine merge` has summed stats (no per-language info) and no step objects: the card still renders,
    from step configs built by `configure` (no model loaded)."""
    from advmine.card import render_card

    cfg = _cfg(tmp_path, task="mnli", langs=["sw"], perturb=["codeswitch"], select={"name": "aflite"},
               embed={"name": "e5-small"})
    names = ["load", "translate", "langid", "perturb", "embed", "select", "contamination"]
    card = render_card(cfg, [StepStats(n) for n in names], {"train": 3}, "f" * 16)
    for heading in ["## Translation per language", "## Language ID (`langid`, mode: flag)", "## Perturbations",
                    "## Embeddings", "## Selection: `aflite`", "## Contamination with evaluation sets (cosine >= 0.95",
                    "## Build config"]:
        assert heading in card, heading
