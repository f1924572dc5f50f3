"""The dataset card (README.md): YAML metadata the hub understands, the content fingerprint, the steps table,
each step's own section (its `card`, e.g. translation coverage or language-ID rates), and the build config."""
from __future__ import annotations

import yaml

from advmine.config import BuildConfig
from advmine.pipeline import StepStats
from advmine.steps import STEPS
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task

SIZES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
         (10_000_000, "1M<n<10M")]


def size_category(n: int) -> str:
    return next((name for limit, name in SIZES if n < limit), "n>10M")


def render_card(cfg: BuildConfig, stats: list[StepStats], rows: dict[str, int], fingerprint: str) -> str:
    spec = get_task(cfg.task)
    hub_src = spec.hub.path if spec.hub else spec.name
    meta = {
        "language": sorted({cfg.src_lang, *cfg.langs} if cfg.include_source else set(cfg.langs)),
        "license": "other", "license_details": f"inherited from {spec.name}: {spec.licence or 'see source'}",
        "task_categories": [get_kind(spec.kind).task_category], "size_categories": [size_category(sum(rows.values()))],
        "source_datasets": [hub_src], "multilinguality": ["multilingual", "translation"],
        "pretty_name": f"advmine {spec.name} -> {','.join(cfg.langs)} ({cfg.translator.name})",
        "tags": ["advmine", "xtreme-r", "intermediate-task"],
        "configs": [{"config_name": "default",
                     "data_files": [{"split": s, "path": f"parquet/{s}.parquet"} for s in rows]}],
    }
    lines = ["---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip(), "---", "",
             f"# advmine: {spec.name} translated into {', '.join(cfg.langs)}", "",
             f"{spec.description}. Built by `advmine` from the English `{spec.name}` "
             f"({cfg.source}{' ' + cfg.data_dir if cfg.data_dir else ''}), one row per (example, language), with "
             "provenance columns `orig_id, src_lang, lang, translator, model_id, perturbation`.", "",
             f"**Content fingerprint:** `{fingerprint}` (same config and seed give the same fingerprint).", "",
             "Rows per split: " + ", ".join(f"{s}: {n}" for s, n in rows.items()), "",
             "## Steps", "", "| step | rows in | rows out | dropped | seconds | reused |", "|---|---|---|---|---|---|"]
    for s in stats:
        dropped = ", ".join(f"{k}: {v}" for k, v in sorted(s.dropped.items())) or "-"
        lines.append(f"| {s.name} | {s.rows_in} | {s.rows_out} | {dropped} | {s.seconds:.1f} | "
                     f"{'yes' if s.skipped else 'no'} |")
    for s in stats:   # each step's own section, from its stats and its config (no model is loaded)
        if s.name in STEPS:
            step = STEPS.get(s.name).load()
            lines += step.card(s, step.configure(cfg))
    lines += ["", "## Build config", "", "```yaml", yaml.safe_dump(cfg.to_dict(), sort_keys=True).strip(), "```", ""]
    return "\n".join(lines)
