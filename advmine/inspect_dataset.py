"""`advmine inspect DIR` and `advmine merge`: read a built dataset's card stats and rows; join shards."""
from __future__ import annotations

import json
from pathlib import Path

from datasets import DatasetDict, concatenate_datasets

from advmine.config import resolve
from advmine.diagnostics import describe
from advmine.pipeline import StepStats
from advmine.quality_report import inspect_lines
from stilts.core.built_dataset import BuiltDataset
from stilts.core.errors import StiltsError


def open_built(path: str | Path) -> tuple[DatasetDict, dict]:
    built = BuiltDataset.open(Path(path))
    return built.load(), built.stats()


def subset_diagnostics_of(stats: dict) -> dict[str, dict[str, dict]]:
    """split -> lang -> the select step's subset diagnostics (advmine.diagnostics), from a build's stats.json."""
    return {split: {lang: d["diagnostics"] for lang, d in per.items() if isinstance(d, dict) and "diagnostics" in d}
            for s in stats["steps"] if s["name"] == "select" for split, per in s["info"].items()
            if isinstance(per, dict)}


def quality_of(stats: dict) -> dict[str, dict[str, dict]]:
    """split -> lang -> the quality step's figures (advmine.steps.quality), from a build's stats.json."""
    return {split: {lang: d for lang, d in per.items() if isinstance(d, dict)}
            for s in stats["steps"] if s["name"] == "quality" for split, per in s["info"].items()
            if isinstance(per, dict)}


def inspect_text(path: str | Path, rows: int = 2) -> str:
    data, stats = open_built(path)
    out = [f"{path}: fingerprint {stats['fingerprint']}, rows {stats['rows']}", "", "steps:"]
    for s in stats["steps"]:
        out.append(f"  {s['name']:<10} {s['rows_in']:>8} -> {s['rows_out']:<8} {s['seconds']:>8.1f}s  "
                   f"dropped={s['dropped'] or '-'}")
    diag = subset_diagnostics_of(stats)
    quality = quality_of(stats)
    for split, ds in data.items():
        langs = list(dict.fromkeys(ds["lang"]))
        for lang in langs:
            sub = ds.filter(lambda x, lg=lang: x == lg, input_columns="lang")
            out.append(f"\n[{split} / {lang}] {len(sub)} rows")
            q = quality.get(split, {}).get(lang)
            if q:
                out += [f"  {line}" for line in inspect_lines(q)]
            d = diag.get(split, {}).get(lang)
            if d:
                out += [f"  {line}" for line in describe(d)]
            for r in sub.select(range(min(rows, len(sub)))):
                shown = {k: v for k, v in r.items() if k not in ("src_lang", "model_id", "perturbation")}
                out.append("  " + json.dumps(shown, ensure_ascii=False)[:300])
    return "\n".join(out)


def merge(shards: list[str], out: str) -> str:
    """Join shard outputs in the order given (shard 0 first) into one dataset with a fresh card."""
    from advmine.steps.write import write_dataset

    if not shards:
        raise StiltsError("advmine merge: name the shard directories")
    loaded = [open_built(s) for s in shards]
    cfg = resolve(None, BuiltDataset.open(shards[0]).build_config() | {"out": out, "num_shards": 1, "shard_index": 0})
    splits = list(loaded[0][0])
    data = DatasetDict({s: concatenate_datasets([d[s] for d, _ in loaded]) for s in splits})
    merged: dict[str, StepStats] = {}
    for _, st in loaded:
        for s in st["steps"]:
            m = merged.setdefault(s["name"], StepStats(s["name"]))
            m.rows_in += s["rows_in"]
            m.rows_out += s["rows_out"]
            m.seconds += s["seconds"]
            for k, v in s["dropped"].items():
                m.drop(k, v)
    merged_list = list(merged.values())
    merged_list[0].info["shards"] = [str(s) for s in shards]
    return write_dataset(data, out, cfg, merged_list)
