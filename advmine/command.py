"""What `advmine build` does behind its command line: its options become config keys, then one build."""
from __future__ import annotations

from typing import Any, Callable

from stilts.core.sources import source_overrides

# Options that set a nested config key (the rest are top-level keys of the same name).
NESTED = {"translator": "translator.name", "model_id": "translator.model_id", "num_beams": "translator.num_beams",
          "max_tokens": "translator.max_tokens", "select": "select.name", "budget": "select.budget",
          "embedder": "embed.name", "embed_model": "embed.model_id", "index": "select.index",
          "quality": "quality.mode"}


def build_overrides(opts: dict[str, Any], kit: bool, data_dir: str | None, sets: dict[str, Any]) -> dict[str, Any]:
    """Command-line options as config overrides: named options, then --kit / --data-dir, then --set."""
    overrides = {NESTED.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()}
    return {**overrides, **source_overrides(kit, data_dir), **sets}


def build_from_options(config_file: str | None, overrides: dict[str, Any], overwrite: bool = False,
                       log: Callable[[str], None] = print) -> dict:
    from advmine.build import build
    from advmine.config import resolve

    return build(resolve(config_file, overrides), log=log, overwrite=overwrite)
