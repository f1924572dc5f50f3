#!/usr/bin/env bash
# The selector ablation of issue 23: MNLI sample (first 600 rows of ../shared/data) -> sw, th, ar (dictionary
# translator, the offline default) plus the English source, budget 0.3 per language, e5-small vectors, seed 0.
# Usage (from the repository root): bash docs/selector-ablation/run.sh [OUT_ROOT]   (then table.py writes table.md)
set -euo pipefail
OUT=${1:-/tmp/selector-ablation}
common=(--task mnli --langs sw,th,ar --include-source --data-dir ../shared/data --limit 600 --budget 0.3
        --contamination off)
run() { name=$1; shift; .venv/bin/advmine build "${common[@]}" "$@" --out "$OUT/$name" >"$OUT/$name.log" 2>&1; }
mkdir -p "$OUT"
run random --select random
run knn-disagreement --select knn-disagreement
run aflite --select aflite
run cartography-ambiguous --select cartography --set select.region=ambiguous
run cartography-hard --select cartography --set select.region=hard
run cartography-easy --select cartography --set select.region=easy
run cross-lingual-disagreement --select cross-lingual-disagreement
.venv/bin/python docs/selector-ablation/table.py "$OUT" > docs/selector-ablation/table.md
