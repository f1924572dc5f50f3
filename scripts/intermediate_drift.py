"""How far each intermediate stage of a grid moved the encoder's trained tensors away from its base model.

The real-data report reads retrieval (Tatoeba, BUCC) on the encoder after the intermediate stage; a stage that
moves the top layers more can lose more of the base model's sentence geometry. This prints, per condition and
seed, the relative L2 distance ||trained - base|| / ||base|| over every tensor the stage stored (its delta), read
from each stage's delta over the base model named in its `base.json`.

    .venv/bin/python scripts/intermediate_drift.py out/real-data/grid
"""
from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def drift(encoder: Path, bases: dict[str, dict]) -> float:
    """Relative L2 distance of the stage's stored tensors from the same tensors of its base model. The stage is
    loaded as the project loads it (stilts.models.weights.load_pretrained: the base's fingerprint is checked and
    the delta overlaid), and each base's weights are read once for all the stages over it (`bases`)."""
    from transformers import AutoModel

    from stilts.models.weights import load_pretrained

    model = load_pretrained(AutoModel, encoder)
    if model.stilts_root not in bases:
        bases[model.stilts_root] = AutoModel.from_pretrained(model.stilts_root).state_dict()
    base, trained = bases[model.stilts_root], model.state_dict()
    num = den = 0.0
    for name in sorted(model.stilts_delta_keys):
        ref = base[name].float()
        num += (trained[name].float() - ref).pow(2).sum().item()
        den += ref.pow(2).sum().item()
    return (num / den) ** 0.5


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("grid_dir", type=Path)
    args = p.parse_args()
    by_condition: dict[str, list[float]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    bases: dict[str, dict] = {}
    for enc in sorted(args.grid_dir.glob("cells/*/*/seed*/intermediate-*/encoder")):
        condition, seed = enc.parts[-5], enc.parts[-3]
        if (condition, seed) in seen or not (enc / "delta.safetensors").is_file():
            continue   # a condition's intermediate stage is trained once per seed and shared by its targets
        seen.add((condition, seed))
        by_condition[condition].append(drift(enc, bases))
    print("| condition | seeds | relative L2 drift of the trained tensors (mean) | per seed |")
    print("|---|---|---|---|")
    for condition, values in sorted(by_condition.items(), key=lambda kv: statistics.mean(kv[1])):
        print(f"| {condition} | {len(values)} | {statistics.mean(values):.4f} | "
              f"{' / '.join(f'{v:.4f}' for v in values)} |")


if __name__ == "__main__":
    main()
