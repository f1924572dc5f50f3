"""The dataset card (README.md): YAML metadata the hub understands, then the build config, per-step stats,
per-language translation, coverage and language-ID figures, and the content fingerprint."""
from __future__ import annotations

import yaml

from advmine.config import BuildConfig
from advmine.pipeline import StepStats
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
    by_name = {s.name: s for s in stats}
    if "translate" in by_name:
        lines += ["", "## Translation per language", "",
                  "| split | lang | model | strings | cache hits | model calls | coverage | rows | dropped (QA answer not found) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for split, per_lang in by_name["translate"].info.items():
            for lang, d in per_lang.items():
                cov = f"{d['coverage']:.1%}" if "coverage" in d else "-"
                lines.append(f"| {split} | {lang} | {d['model_id']} | {d['strings']} | {d['cache_hits']} | "
                             f"{d['model_calls']} | {cov} | {d['rows']} | {d.get('dropped_answer_not_found', 0)} |")
        lines += ["", "Coverage is the share of English words (punctuation aside) that the dictionaries cover "
                  "(dictionary translator only); uncovered words are kept in English."]
    if "langid" in by_name:
        lines += ["", f"## Language ID (`langid`, mode: {cfg.langid})", "", "| split | lang | rows | mismatched | rate |",
                  "|---|---|---|---|---|"]
        for split, per_lang in by_name["langid"].info.items():
            for lang, d in per_lang.items():
                lines.append(f"| {split} | {lang} | {d['rows']} | {d['mismatched']} | {d['mismatch_rate']:.1%} |")
    if "perturb" in by_name:
        info = by_name["perturb"].info
        lines += ["", "## Perturbations", "", "| split | method | candidates | changed | unchanged | not applicable |",
                  "|---|---|---|---|---|---|"]
        for split, per in info.items():
            if split == "label_preserving":
                continue
            for method, d in per.items():
                lines.append(f"| {split} | `{method}` | {d['candidates']} | {d['changed']} | {d['unchanged']} | "
                             f"{d['not_applicable']} |")
        lines += ["", "Labels are preserved by construction:"]
        lines += [f"- `{name}`: {why}." for name, why in info.get("label_preserving", {}).items()]
    if "select" in by_name and cfg.select:
        col = "score_" + cfg.select.name.replace("-", "_")
        lines += ["", f"## Selection: `{cfg.select.name}`, budget {cfg.select.budget} per language", "",
                  f"Scores are kept in `{col}` (higher = harder). Distribution over all candidate rows of each "
                  "language, and the mean over the rows kept:", "",
                  "| split | lang | rows | kept | min | p25 | median | p75 | max | mean all | mean kept |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for split, per in by_name["select"].info.items():
            for lang, d in per.items():
                q = d["quantiles"] or [0] * 5
                lines.append(f"| {split} | {lang} | {d['rows']} | {d['selected']} | " + " | ".join(f"{x:.3f}" for x in q)
                             + f" | {d['mean_all']:.3f} | {d['mean_selected']:.3f} |")
    if "embed" in by_name:
        lines += ["", f"Embeddings: `{cfg.embed.name}` ({by_name['embed'].info.get('model_id', '')})."]
    if "contamination" in by_name:
        info = by_name["contamination"].info
        lines += ["", f"## Contamination with evaluation sets (cosine >= {info.get('threshold')}, mode: "
                  f"{info.get('mode')})", "", "| split | target task | lang | eval rows | built rows | flagged | max sim |",
                  "|---|---|---|---|---|---|---|"]
        for d in info.get("table", []):
            lines.append(f"| {d['split']} | {d['task']} | {d['lang']} | {d['eval_rows']} | {d['rows']} | "
                         f"{d['flagged']} | {d['max_sim']:.3f} |")
        if info.get("unavailable"):
            lines += ["", "Not checked (the build's source cannot serve them): " + "; ".join(
                f"{u['task']}/{u['lang']}" for u in info["unavailable"]) + "."]
    lines += ["", "## Build config", "", "```yaml", yaml.safe_dump(cfg.to_dict(), sort_keys=True).strip(), "```", ""]
    return "\n".join(lines)
