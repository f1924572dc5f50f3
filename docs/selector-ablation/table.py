"""Print the ablation table (markdown) from the builds that run.sh made: one row per (selector, language), every
figure read from the build's stats.json (its select step's subset diagnostics)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ORDER = ["random", "knn-disagreement", "aflite", "model-margin", "cartography-ambiguous", "cartography-hard", "cartography-easy",
         "cross-lingual-disagreement"]


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def main(root: Path) -> None:
    print("| selector | lang | kept | label dev. (pts) | noise % (random) | ref. acc. % (random) | "
          "p(gold) | adequacy mean | adequacy p5 | below floor % | langid ok % | English kept % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    ref = None
    for name in ORDER:
        stats = root / name / "stats.json"
        if not stats.is_file():
            continue
        sel = next(s for s in json.loads(stats.read_text())["steps"] if s["name"] == "select")
        for lang, d in sel["info"]["train"].items():
            g = d["diagnostics"]
            ref = g.get("reference", ref)
            a, nz, acc = g.get("adequacy", {}), g["noise"], g["ref_accuracy"]
            print(f"| {name} | {lang} | {g['selected']} | {g['labels']['max_dev_points']:.1f} | "
                  f"{pct(nz['subset'])} ({pct(nz['random'])}) | {pct(acc['subset'])} ({pct(acc['random'])}) | "
                  f"{g['p_gold']['subset']:.3f} | {a.get('mean', 0):.3f} | {a.get('p5', 0):.3f} | {pct(a.get('below'))} | "
                  f"{pct(g.get('langid_ok', {}).get('subset'))} | {pct(g['english_kept']['subset'])} |")
    if ref:
        print(f"\nReference: {ref['name']}, cross-fitted ({ref['folds']} folds) accuracy on the 600 English source "
              f"rows {pct(ref['accuracy'])}%" + (" (weak evidence for noise)" if ref["weak"] else "") + ".")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/selector-ablation"))
