"""The CTranslate2 translator backend: same outputs as `generate`, one conversion per model, its own cache key."""
from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest

from advmine.translators import make_translator
from advmine.translators.config import TranslatorConfig
from stilts.core.errors import StiltsError

LANG = "sw"


def _input_sensitive_marian(directory: Path) -> Path:
    """advmine.tiny's Marian re-initialised with std 1.0 (at the default 0.02 every input gets the same output),
    with opus-mt's generation setting bad_words_ids=[[pad]]."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    from advmine.tiny import build_tiny_marian

    model_dir = build_tiny_marian(directory)
    config = MarianConfig.from_pretrained(model_dir)
    config.init_std = 1.0
    torch.manual_seed(0)
    MarianMTModel(config).save_pretrained(model_dir)
    gen = GenerationConfig.from_pretrained(model_dir)
    gen.bad_words_ids = [[config.pad_token_id]]
    gen.save_pretrained(model_dir)
    return model_dir


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    from advmine.translators.tiny_nllb import build_tiny_m2m100, build_tiny_nllb

    root = tmp_path_factory.mktemp("ct2-models")
    return {"marian": _input_sensitive_marian(root / "marian"),
            "nllb": build_tiny_nllb(root / "nllb", init_std=1.0),
            "m2m100": build_tiny_m2m100(root / "m2m100", init_std=1.0)}


@pytest.fixture(scope="module")
def texts() -> list[str]:
    from stilts.core.tasks import load

    mnli = load("mnli", "train", source="kit")
    return mnli["text_a"][:64] + mnli["text_b"][:64]


@pytest.mark.parametrize("family", ["marian", "nllb", "m2m100"])
def test_greedy_float32_outputs_equal_generate(family, tiny_models, texts):
    """Greedy decoding, float32, several token-budget batches: every output string equals `generate`'s, for
    outputs that stop on </s> and outputs cut at max_new_tokens (Marian's forced </s> included). The models are
    random with std 1.0 so that the outputs differ per input (a sameness test over one repeated string would
    prove little)."""
    opts = {"name": family, "model_id": str(tiny_models[family]), "max_new_tokens": 24, "max_tokens": 600}
    gen = make_translator(TranslatorConfig(**opts))
    ct2 = make_translator(TranslatorConfig(**opts, backend="ctranslate2", compute_type="float32"))
    expected, got = gen.translate(texts, LANG), ct2.translate(texts, LANG)
    assert got == expected
    assert len(set(expected)) > len(texts) // 4                      # input-dependent outputs
    assert len({len(t.split()) for t in expected}) > 3                # short (</s>) and long (cut) ones
    assert ct2.calls == len(texts)
    assert gen.model_id(LANG) == str(tiny_models[family])             # generate's cache keys are unchanged
    assert ct2.model_id(LANG) == f"{tiny_models[family]}+ctranslate2:float32"


def test_conversion_is_cached_once_per_content_and_type(tiny_models, tmp_path, monkeypatch):
    """One conversion per (model content, ctranslate2 version, quantization), marked done and found again; a
    changed file is a new key; an unmarked directory (a killed conversion) is never used."""
    import shutil

    from advmine.translators.ct2_convert import converted
    from stilts.core.markers import read_marker

    monkeypatch.setenv("STILTS_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "model"
    shutil.copytree(tiny_models["nllb"], model)
    first = converted(str(model), "float32")
    assert first.parent == tmp_path / "cache" / "ct2" and (first / "model.bin").is_file()
    assert read_marker(first)["quantization"] == "float32"
    mtime = (first / "model.bin").stat().st_mtime_ns
    assert converted(str(model), "float32") == first and (first / "model.bin").stat().st_mtime_ns == mtime
    assert converted(str(model), "int8") != first
    (model / "generation_config.json").write_text(json.dumps({"max_length": 77}))
    assert converted(str(model), "float32") != first
    (first / "DONE").unlink()                                          # as if killed before the marker
    again = converted(str(model.parent / "model"), "float32")
    assert read_marker(again) is not None
    assert not [p for p in (tmp_path / "cache" / "ct2").iterdir() if ".tmp-" in p.name]


def test_compute_type_auto_and_unsupported(monkeypatch):
    import ctranslate2

    from advmine.translators.ctranslate2 import resolve_compute_type

    monkeypatch.setattr(ctranslate2, "get_supported_compute_types", lambda device: {
        "cpu": {"int8", "int8_float32", "float32"}, "cuda": {"float16", "float32", "int8_float16"}}[device])
    assert resolve_compute_type("auto", "cpu") == "int8"
    assert resolve_compute_type("auto", "cuda") == "float16"            # no bf16 on this GPU
    assert resolve_compute_type("float32", "cpu") == "float32"
    with pytest.raises(StiltsError, match="compute_type bfloat16 is not supported on cpu here"):
        resolve_compute_type("bfloat16", "cpu")


def test_backend_option_is_checked_and_matches_the_registry():
    from advmine.config import resolve
    from advmine.translators.seq2seq import BACKENDS

    hints = typing.get_type_hints(TranslatorConfig)
    assert set(typing.get_args(hints["backend"])) == set(BACKENDS.names())
    with pytest.raises(StiltsError, match="ctranslate"):
        resolve(None, {"task": "mnli", "langs": "sw", "out": "x",
                       "translator": {"name": "nllb", "backend": "ctranslate"}})
    cfg = resolve(None, {"task": "mnli", "langs": "sw", "out": "x",
                         "translator": {"name": "nllb", "backend": "ctranslate2", "compute_type": "int8"}})
    assert (cfg.translator.backend, cfg.translator.compute_type) == ("ctranslate2", "int8")
    tr = make_translator(cfg.translator)
    assert tr.model_id("sw") == "facebook/nllb-200-distilled-600M+ctranslate2:int8"
    assert tr.lang_code("sw") == "swh_Latn"


def test_build_with_the_ctranslate2_backend_keeps_its_own_cache_entries(tmp_path, tiny_models):
    """Through the whole translate step: provenance names the backend, and a build with `generate` sharing the
    cache directory translates afresh (the two backends' outputs never stand in for each other)."""
    from datasets import load_from_disk

    from advmine.build import build
    from advmine.config import resolve

    model = str(tiny_models["marian"])

    def run(out: str, **translator):
        cfg = resolve(None, {"task": "mnli", "langs": ["sw"], "source": "kit", "limit": 20, "langid": "off",
                             "out": str(tmp_path / out), "cache_dir": str(tmp_path / "cache"),
                             "translator": {"name": "marian", "model_id": model, "max_new_tokens": 6, **translator}})
        res = build(cfg, log=lambda m: None)
        return next(s for s in res["stats"] if s.name == "translate").info["train"]["sw"], cfg.out

    ct2, out = run("ct2", backend="ctranslate2", compute_type="float32")
    assert ct2["model_calls"] == ct2["strings"] > 0
    assert set(load_from_disk(out)["train"]["model_id"]) == {f"{model}+ctranslate2:float32"}
    gen, out = run("gen")
    assert gen["model_calls"] == gen["strings"]                        # no cache hit from the other backend
    again, _ = run("ct2-again", backend="ctranslate2", compute_type="float32")
    assert again["model_calls"] == 0


def test_decoding_settings_enter_the_translation_cache_id():
    """Before, `num_beams` and `max_new_tokens` were missing from the persistent translation cache's key, so a
    beam-search build reused greedy translations; default settings keep the ids earlier caches were written with."""
    from advmine.translators import make_translator
    from advmine.translators.base import cache_id
    from advmine.translators.config import TranslatorConfig

    greedy = make_translator(TranslatorConfig(name="marian", model_id="some/model-{lang}"))
    beams = make_translator(TranslatorConfig(name="marian", model_id="some/model-{lang}", num_beams=4))
    assert cache_id(greedy, "sw") == greedy.model_id("sw") == "some/model-sw"
    assert cache_id(beams, "sw") == "some/model-sw#beams=4" and beams.model_id("sw") == "some/model-sw"


def test_backend_options_on_a_translator_without_a_model_are_refused(tmp_path):
    """Before, `backend`/`compute_type` were silently ignored by the dictionary and identity translators."""
    from advmine.config import resolve

    with pytest.raises(StiltsError, match="apply to marian, nllb, m2m100; the dictionary translator runs no model"):
        resolve(None, {"task": "mnli", "langs": "sw", "out": str(tmp_path / "o"), "source": "kit",
                       "translator": {"name": "dictionary", "backend": "ctranslate2"}})
    resolve(None, {"task": "mnli", "langs": "sw", "out": str(tmp_path / "o"), "source": "kit",
                   "translator": {"name": "nllb", "backend": "ctranslate2", "compute_type": "int8"}})


def test_the_model_tables_enter_the_translate_key():
    """The Marian model table and the language-code table are files the translator reads: their content enters
    the translate step's key (an edited table retranslates), unless translator.model_id replaces the table."""
    from advmine.translators import make_translator
    from advmine.translators.base import translator_inputs
    from advmine.translators.config import TranslatorConfig

    names = [p.name for p in translator_inputs(make_translator(TranslatorConfig(name="marian")), "sw")]
    assert names == ["lang_codes.yaml", "marian_models.yaml"]
    own = make_translator(TranslatorConfig(name="marian", model_id="some/model-{lang}"))
    assert [p.name for p in translator_inputs(own, "sw")] == ["lang_codes.yaml"]
