"""Retrieval reads an encoder the way it was built (issue 24.5): e5 at its last layer with "query: ", XLM-R at
XTREME's layer; models trained from e5 inherit that; explicit options win; a layer inside the frozen prefix is
refused (config) or flagged (eval); `1.0` is refused as ambiguous. A tiny e5 directory is converted from a
synthetic image (as tests/test_e5_small.py does), so nothing here needs the real wheel's model."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from cli import stilts
from stilts.core.errors import StiltsError
from stilts.eval.retrieval import RetrievalConfig, config_for, embed
from stilts.models import LAST, layer_index
from stilts.models.retrieval_profile import XTREME, profile_of
from test_e5_small import synthetic_image

QUIET = {"log": lambda m: None}
E5 = ("e5-small", LAST, "query: ")


@pytest.fixture(scope="module")
def e5_dir(tmp_path_factory) -> Path:
    """A 2-layer e5 directory written by the project's converter (its marker names the image)."""
    from stilts.models.e5_small import e5_small_dir

    d = tmp_path_factory.mktemp("tiny-e5")
    synthetic_image(d / "tiny.bin")
    return e5_small_dir(d / "tiny.bin", cache=d / "model", log=lambda m: None)


def frozen_e5(e5_dir: Path, k: int = 1):
    """(tokenizer, the encoder with its lowest k layers frozen, the same as a PrefixModel reading stored states)."""
    from transformers import AutoModel, AutoTokenizer

    from stilts.models import freeze
    from stilts.models.prefix import PrefixModel
    from stilts.models.weights import load_pretrained

    model = load_pretrained(AutoModel, e5_dir)
    freeze(model, layers=k)
    return AutoTokenizer.from_pretrained(e5_dir), model, PrefixModel(model, k).eval()


@pytest.fixture(scope="module")
def e5_delta(e5_dir, tmp_path_factory) -> Path:
    """What a stage trained over e5 with its embeddings and lowest layer frozen saves: a delta naming its base."""
    from transformers import AutoModel, AutoTokenizer

    from stilts.models import freeze
    from stilts.models.weights import load_pretrained, save_model

    model = load_pretrained(AutoModel, e5_dir)
    freeze(model, embeddings=True, layers=1)
    out = save_model(model, tmp_path_factory.mktemp("delta") / "encoder", AutoTokenizer.from_pretrained(e5_dir))
    assert json.loads((out / "base.json").read_text())["frozen_layers"] == 1
    return out


def _profile(model) -> tuple:
    name, p = profile_of(model)
    return name, p.layer, p.prefix


def test_layer_numbers_fractions_and_counting_from_the_top():
    assert layer_index(24, 14 / 24) == 14 and layer_index(12, 14 / 24) == 7     # XTREME's fraction
    assert layer_index(12, 1) == 1 and layer_index(12, 12) == 12 and layer_index(12, 12.0) == 12
    assert layer_index(12, -1) == 12 and layer_index(12, -12) == 1
    for bad, says in ((1.0, "ambiguous: write 1 for the first layer or -1 for the last"), (0, "names no layer"),
                      (2.5, "names no layer"), (-0.5, "names no layer")):
        with pytest.raises(StiltsError, match=says):
            layer_index(12, bad)
    for out_of_range in (13, -13):
        with pytest.raises(StiltsError, match="the encoder has 12 layers"):
            layer_index(12, out_of_range)
    with pytest.raises(StiltsError, match="layer 1.0 is ambiguous"):
        RetrievalConfig(layer=1.0)
    assert RetrievalConfig(layer=1).layer == 1


def test_cli_layer_1_0_is_one_line_naming_how_to_write_it(e5_dir, tmp_path):
    """`--layer 1.0` used to mean layer 1 silently (an int() of a fraction-or-index float)."""
    from stilts.eval.command import parse_layer

    assert (parse_layer("1"), parse_layer("-1"), parse_layer("0.5")) == (1, -1, 0.5)
    assert isinstance(parse_layer("1.0"), float) and isinstance(parse_layer("12"), int)
    res = CliRunner().invoke(stilts, ["eval", "--model", str(e5_dir), "--tasks", "tatoeba", "--layer", "1.0",
                                      "--out", str(tmp_path / "eval")])
    assert res.exit_code == 2 and res.output.count("\n") == 1
    assert "layer 1.0 is ambiguous: write 1 for the first layer or -1 for the last" in res.output


def test_profiles_of_e5_its_deltas_and_other_models(e5_dir, e5_delta, tmp_path):
    assert _profile(e5_dir) == E5 and _profile(e5_delta) == E5      # a delta is read as its base was built
    assert _profile("e5-small") == E5 and _profile("intfloat/multilingual-e5-small") == E5
    assert _profile("xlm-roberta-large") == ("xtreme", 14 / 24, "") and XTREME.layer == RetrievalConfig().layer
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    assert _profile(tmp_path / "model")[0] == "xtreme"               # a directory of no family


def test_train_config_takes_the_profile_and_explicit_keys_win(e5_dir):
    from stilts.train.config import resolve

    base = {"out": "x", "intermediate": "mnli", "target": "xnli"}
    for model in ("e5-small", str(e5_dir)):
        cfg = resolve(None, {**base, "model": model})
        assert (cfg.retrieval_layer, cfg.retrieval_prefix) == (LAST, "query: ")
    cfg = resolve(None, {**base, "model": str(e5_dir), "retrieval_layer": 0.5, "retrieval_prefix": ""})
    assert (cfg.retrieval_layer, cfg.retrieval_prefix) == (0.5, "")
    xlmr = resolve(None, base)
    assert (xlmr.retrieval_layer, xlmr.retrieval_prefix) == (14 / 24, "")
    assert "retrieval_prefix" not in xlmr.key_dict()       # a default prefix leaves earlier stage keys as they were
    assert resolve(None, {**base, "model": "e5-small"}).key_dict()["retrieval_prefix"] == "query: "


def test_eval_defaults_come_from_options_run_config_then_model(e5_dir, tmp_path):
    from stilts.eval.command import retrieval_defaults

    assert config_for(str(e5_dir)) == RetrievalConfig(layer=LAST, prefix="query: ")
    assert config_for(str(e5_dir), layer=1, prefix="") == RetrievalConfig(layer=1, prefix="")     # explicit wins
    assert config_for(str(e5_dir), layer=None, prefix=None).prefix == "query: "                   # None: not given
    run = tmp_path / "run"
    run.mkdir()
    # a run from before profiles (config.yaml records the old default layer, no prefix): its phase-1 model's family
    (run / "config.yaml").write_text(yaml.safe_dump({"model": "e5-small", "retrieval_layer": 14 / 24}))
    assert retrieval_defaults(str(run), "unrelated/model") == profile_of("e5-small")[1]
    # a run that records both: what it trained with, e.g. an explicit retrieval_layer
    (run / "config.yaml").write_text(yaml.safe_dump({"model": "e5-small", "retrieval_layer": 0.5,
                                                     "retrieval_prefix": "query: "}))
    assert retrieval_defaults(str(run), str(e5_dir)).layer == 0.5
    assert retrieval_defaults(None, str(e5_dir)) == profile_of(e5_dir)[1]


def test_the_prefix_is_put_before_every_sentence(e5_dir):
    from transformers import AutoModel, AutoTokenizer

    model, tok = AutoModel.from_pretrained(e5_dir).eval(), AutoTokenizer.from_pretrained(e5_dir)
    texts = ["hello world", "a b c", "café"]
    with_prefix = embed(model, tok, texts, RetrievalConfig(layer=LAST, prefix="query: "))
    by_hand = embed(model, tok, ["query: " + t for t in texts], RetrievalConfig(layer=LAST))
    assert np.array_equal(with_prefix, by_hand)
    assert not np.allclose(with_prefix, embed(model, tok, texts, RetrievalConfig(layer=LAST)))


def test_the_feature_cache_reads_prefixed_inputs(e5_dir):
    """The prefix changes the token ids, hence the cache key; cached and recomputed vectors still agree."""
    from stilts.models.feature_cache import cached_features

    tok, model, wrapped = frozen_e5(e5_dir)
    texts = ["hello world", "a b", "hello café", "b a c"]
    cfg = RetrievalConfig(layer=LAST, prefix="query: ")
    cached = embed(wrapped, tok, texts, cfg, prefix=lambda f: cached_features(model, 1, f, tok.pad_token_id, **QUIET))
    assert np.abs(embed(model, tok, texts, cfg) - cached).max() <= 1e-4


def test_eval_records_the_layer_and_prefix_and_flags_a_frozen_layer(e5_dir, e5_delta, shared_data):
    from stilts.eval.zero_shot import evaluate_task, markdown_table

    kw = {"source": "data-dir", "data_dir": str(shared_data), "langs": ["sw"], "limit": 8, **QUIET}
    r = evaluate_task(str(e5_delta), "tatoeba", **kw)
    rec = r["retrieval"]
    assert (rec["layer"], rec["prefix"], rec["layer_index"], rec["layers"], rec["profile"]) == (LAST, "query: ", 2, 2,
                                                                                                 "e5-small")
    assert rec["frozen_layers"] == 1 and rec["in_frozen_prefix"] is False
    assert "- retrieval: layer 2 of 2 (layer=-1), mean pooling, prefix 'query: ' (model profile: e5-small)" \
        in markdown_table([r], "delta")
    low = evaluate_task(str(e5_delta), "tatoeba", retrieval=RetrievalConfig(layer=1), **kw)
    assert low["retrieval"]["in_frozen_prefix"] is True and low["retrieval"]["prefix"] == ""
    assert "WARNING: inside the 1 layers frozen in training" in markdown_table([low], "delta")


def test_the_plain_encoder_stores_the_prefix_its_trained_cells_read(e5_dir, e5_delta, shared_data, tmp_path,
                                                                     monkeypatch):
    """A grid's `none` retrieval cell (the phase-1 encoder, which names no frozen layers) stores the states after
    the grid's frozen layers under the key a trained delta over it reads: the same scores as the full forward
    pass, and the trained cell builds no store of its own."""
    from stilts.eval.zero_shot import evaluate_task

    monkeypatch.setenv("STILTS_CACHE", str(tmp_path / "cache"))
    kw = {"source": "data-dir", "data_dir": str(shared_data), "langs": ["sw"], "limit": 8}
    lines: list[str] = []
    full = evaluate_task(str(e5_dir), "tatoeba", feature_cache=True, **kw, log=lines.append)
    assert "feature_cache" not in full and any("feature cache: off" in m for m in lines)
    cached = evaluate_task(str(e5_dir), "tatoeba", feature_cache=True, cache_layers=1, **kw, log=lines.append)
    assert cached["feature_cache"] == {"layer": 1, "dtype": "float32"}
    assert abs(cached["languages"]["sw"]["score"] - full["languages"]["sw"]["score"]) < 1e-6
    def stores() -> list[Path]:
        return sorted(p for p in (tmp_path / "cache" / "prefix-features").glob("*/*") if p.is_dir())

    built = stores()
    assert len(built) == 2   # one per side of the pairs (the sw sentences, the English ones)
    lines.clear()
    evaluate_task(str(e5_delta), "tatoeba", feature_cache=True, **kw, log=lines.append)
    assert stores() == built
    assert not any(m.startswith("feature cache: ") for m in lines)


def test_a_retrieval_layer_inside_the_frozen_layers_is_refused(e5_dir, tmp_path):
    from stilts.compare.grid import load_grid
    from stilts.train.config import resolve

    base = {"out": "x", "intermediate": "mnli", "model": str(e5_dir), "freeze_layers": 1}
    with pytest.raises(StiltsError, match=r"layer 0.5 is layer 1 of 2, inside the 1 frozen layers .*every "
                                          r"condition would tie"):
        resolve(None, {**base, "target": "tatoeba", "retrieval_layer": 0.5})
    assert resolve(None, {**base, "target": "tatoeba"}).retrieval_layer == LAST     # layer 2: above the prefix
    assert resolve(None, {**base, "target": "xnli", "retrieval_layer": 0.5})        # nothing pooled: no check
    grid = {"out": str(tmp_path / "g"), "model": str(e5_dir), "targets": ["tatoeba"],
            "experiment": {"freeze_layers": 1}}
    with pytest.raises(StiltsError, match=r"cells none/tatoeba, english/tatoeba, .*: layer 1 is layer 1 of 2, inside the 1 frozen"):
        load_grid(None, {**grid, "eval": {"layer": 1}})
    assert load_grid(None, grid).eval.layer is None
    with pytest.raises(StiltsError, match=r"grid.eval.layer: layer 1.0 is ambiguous"):
        load_grid(None, {**grid, "targets": ["xnli"], "eval": {"layer": 1.0}})


def test_grid_eval_reads_the_cells_layer_and_prefix_unless_set(e5_dir, tmp_path):
    from stilts.compare.grid import Cell, eval_retrieval, experiment_config, load_grid

    grid = load_grid(None, {"out": str(tmp_path / "g"), "model": "e5-small", "targets": ["tatoeba"]})
    cfg = experiment_config(grid, Cell("english", "tatoeba", 0))
    assert eval_retrieval(grid.eval, cfg) == RetrievalConfig(layer=LAST, prefix="query: ")
    grid = load_grid(None, {"out": str(tmp_path / "g"), "model": "e5-small", "targets": ["tatoeba"],
                            "eval": {"layer": 0.5, "prefix": ""}})
    assert eval_retrieval(grid.eval, cfg) == RetrievalConfig(layer=0.5, prefix="")
