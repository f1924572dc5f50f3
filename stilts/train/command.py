"""What `stilts train` does behind its command line: options become config keys, one run, a score summary."""
from __future__ import annotations

from typing import Any, Callable

from stilts.core.sources import source_overrides


def train_overrides(opts: dict[str, Any], kit: bool, data_dir: str | None, sets: dict[str, Any]) -> dict[str, Any]:
    """Named options, then --kit / --data-dir, then --set. `--kit` sets the data source only: the model is
    --model, else the offline real encoder (e5-small, stilts.train.config.resolve)."""
    return {**opts, **source_overrides(kit, data_dir), **sets}


def train(config_file: str | None, overrides: dict[str, Any], overwrite: bool = False,
          log: Callable[[str], None] = print) -> str:
    """Run the three phases; returns one line per stage's English dev score, then the run directory."""
    from stilts.core.errors import StiltsError
    from stilts.core.overrides import merged_config
    from stilts.train.config import resolve
    from stilts.train.phases import run_experiment
    from stilts.train.stages import check_stage_keys

    if not merged_config(config_file, overrides).get("out"):   # from_mapping would say "config.out: missing"
        raise StiltsError("stilts train needs a run directory: pass --out DIR (or set `out:` in the --config YAML)")
    cfg = resolve(config_file, overrides)
    check_stage_keys(cfg)
    result = run_experiment(cfg, log=log, overwrite=overwrite)
    lines = [f"{s['stage']:<28} English dev {s['metric']} = {s['dev_en']:.2f} (epoch {s['best_epoch']}, "
             f"{s['steps']} steps)" for s in result["scores"]]
    return "\n".join([*lines, f"run: {result['run']}"])
