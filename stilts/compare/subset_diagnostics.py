"""The setup section's table of what each selected advmine dataset holds, per language (advmine.diagnostics):
label-mix deviation, noise estimate beside a random subset's, the reference's accuracy, adequacy and language ID.
A reader sees whether a condition trained on hard-but-correct rows, one skewed class, noise or broken
translations before reading its score. Translation quality sits beside them (advmine's quality step): corpus
chrF++ and BLEU against human references over the language's translated pool, its copy baseline, and the mean row
chrF++ of the rows the subset kept."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from advmine.inspect_dataset import quality_of, subset_diagnostics_of


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def diagnostics_table(datasets: Mapping[str, str | Path]) -> str:
    """Markdown table over the named built datasets (name -> directory); datasets without a select step's
    diagnostics are left out, and a grid without any gets one sentence."""
    lines = ["| dataset | lang | kept | label dev. (pts) | noise % (random %) | reference acc. % (random %) | "
             "adequacy mean | below floor % | langid ok % | chrF++ (copy) | BLEU | subset chrF++ |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    refs = set()
    for name, path in datasets.items():
        stats = Path(path) / "stats.json"
        if not stats.is_file():
            continue
        loaded = json.loads(stats.read_text(encoding="utf-8"))
        quality = quality_of(loaded)
        kept_chrf = _subset_chrf(Path(path)) if quality else {}
        for split, per in subset_diagnostics_of(loaded).items():
            for lang, d in per.items():
                q = quality.get(split, {}).get(lang, {}).get("reference", {})
                nz, acc, a = d.get("noise", {}), d.get("ref_accuracy", {}), d.get("adequacy", {})
                dev = d.get("labels", {}).get("max_dev_points")
                if "reference" in d:
                    r = d["reference"]
                    refs.add(f"{r['name']}: cross-fitted accuracy {_pct(r['accuracy'])}%"
                             + (" (noise is weak evidence)" if r["weak"] else ""))
                lines.append(f"| {name} | {lang} | {d['selected']} | {'-' if dev is None else f'{dev:.1f}'} | "
                             f"{_pct(nz.get('subset'))} ({_pct(nz.get('random'))}) | {_pct(acc.get('subset'))} "
                             f"({_pct(acc.get('random'))}) | {a.get('mean', '-') if a else '-'} | "
                             f"{_pct(a.get('below'))} | {_pct(d.get('langid_ok', {}).get('subset'))} | "
                             f"{_num(q.get('chrf'))} ({_num(q.get('copy_chrf'))}) | {_num(q.get('bleu'))} | "
                             f"{_num(kept_chrf.get((split, lang)))} |")
    if len(lines) == 2:
        return "No selected advmine dataset in this grid carries subset diagnostics."
    note = ("chrF++ (copy) and BLEU: corpus scores of the language's translated pool against human references "
            "(advmine's quality step; the copy scores the untranslated English), subset chrF++: the mean row chrF++ of "
            "the rows kept; '-' where no reference exists.")
    return "\n".join(lines + ["", note, "", "Reference: " + "; ".join(sorted(refs)) + "." if refs else ""]).rstrip()


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def _subset_chrf(path: Path) -> dict[tuple[str, str], float]:
    """(split, lang) -> mean row chrF++ of a built dataset's rows that have one."""
    from stilts.core.built_dataset import BuiltDataset

    built = BuiltDataset.find(path)
    out: dict[tuple[str, str], list[float]] = {}
    for split, ds in (built.load().items() if built else ()):
        if "quality_chrf" not in ds.column_names:
            continue
        for lang, score in zip(ds["lang"], ds["quality_chrf"]):
            if score is not None:
                out.setdefault((split, lang), []).append(score)
    return {k: sum(v) / len(v) for k, v in out.items()}
