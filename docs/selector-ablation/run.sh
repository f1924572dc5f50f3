#!/usr/bin/env bash
# The selector ablation of issue 23: the first 600 rows of the MNLI sample in ../shared/data -> sw, th, ar
# (dictionary translator, the offline default) plus the English source rows, one budget (0.3 per language, label-
# stratified), e5-small vectors, seed 0. model-margin needs a reference classifier that never saw these rows:
# e5-small trained on 2,000 SNLI rows (same three labels, other data), 2 epochs, top 6 layers trained.
# Usage (from the repository root): bash docs/selector-ablation/run.sh [OUT_ROOT]   (then table.md is written)
set -euo pipefail
OUT=${1:-/tmp/selector-ablation}
mkdir -p "$OUT"
if [ ! -d "$OUT/snli-reference/target-snli/model" ]; then
  .venv/bin/stilts train --model e5-small --target snli --data-dir ../shared/data --limit 2000 \
    --set freeze_layers=6 --set feature_cache=true --set epochs.snli=2 --set max_length=128 \
    --out "$OUT/snli-reference" >"$OUT/snli-reference.log" 2>&1
fi
common=(--task mnli --langs sw,th,ar --include-source --data-dir ../shared/data --limit 600 --budget 0.3
        --contamination off)
run() { name=$1; shift; [ -f "$OUT/$name/stats.json" ] || .venv/bin/advmine build "${common[@]}" "$@" --out "$OUT/$name" >"$OUT/$name.log" 2>&1; }
run random --select random
run knn-disagreement --select knn-disagreement
run aflite --select aflite
run model-margin --select model-margin --set select.model_id="$OUT/snli-reference/target-snli/model"
run cartography-ambiguous --select cartography --set select.region=ambiguous
run cartography-hard --select cartography --set select.region=hard
run cartography-easy --select cartography --set select.region=easy
run cross-lingual-disagreement --select cross-lingual-disagreement
.venv/bin/python docs/selector-ablation/table.py "$OUT" > docs/selector-ablation/table.md
