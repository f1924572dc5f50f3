"""The setup section's table of what each selected advmine dataset holds, per language (advmine.diagnostics):
label-mix deviation, noise estimate beside a random subset's, the reference's accuracy, adequacy and language ID.
A reader sees whether a condition trained on hard-but-correct rows, one skewed class, noise or broken
translations before reading its score."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from advmine.inspect_dataset import subset_diagnostics_of


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def diagnostics_table(datasets: Mapping[str, str | Path]) -> str:
    """Markdown table over the named built datasets (name -> directory); datasets without a select step's
    diagnostics are left out, and a grid without any gets one sentence."""
    lines = ["| dataset | lang | kept | label dev. (pts) | noise % (random %) | reference acc. % (random %) | "
             "adequacy mean | below floor % | langid ok % |", "|---|---|---|---|---|---|---|---|---|"]
    refs = set()
    for name, path in datasets.items():
        stats = Path(path) / "stats.json"
        if not stats.is_file():
            continue
        for split, per in subset_diagnostics_of(json.loads(stats.read_text(encoding="utf-8"))).items():
            for lang, d in per.items():
                nz, acc, a = d.get("noise", {}), d.get("ref_accuracy", {}), d.get("adequacy", {})
                dev = d.get("labels", {}).get("max_dev_points")
                if "reference" in d:
                    r = d["reference"]
                    refs.add(f"{r['name']}: cross-fitted accuracy {_pct(r['accuracy'])}%"
                             + (" (noise is weak evidence)" if r["weak"] else ""))
                lines.append(f"| {name} | {lang} | {d['selected']} | {'-' if dev is None else f'{dev:.1f}'} | "
                             f"{_pct(nz.get('subset'))} ({_pct(nz.get('random'))}) | {_pct(acc.get('subset'))} "
                             f"({_pct(acc.get('random'))}) | {a.get('mean', '-') if a else '-'} | "
                             f"{_pct(a.get('below'))} | {_pct(d.get('langid_ok', {}).get('subset'))} |")
    if len(lines) == 2:
        return "No selected advmine dataset in this grid carries subset diagnostics."
    return "\n".join(lines + ["", "Reference: " + "; ".join(sorted(refs)) + "." if refs else ""]).rstrip()
