"""The dataset card's data maps (Dataset Cartography's figure): variability against confidence for a sample of
each language's candidate rows, coloured by correctness, the selected rows ringed. Drawn from the select step's
stats at write time, so a card and its figures always come from the same run."""
from __future__ import annotations

from pathlib import Path

from advmine.pipeline import StepStats
from advmine.steps.select import data_map_file


def write_data_maps(folder: Path, stats: list[StepStats]) -> list[str]:
    """One PNG per language group with a data map; returns the file names written."""
    maps = [(split, lang, d["data_map"]) for s in stats if s.name == "select"
            for split, per in s.info.items() if isinstance(per, dict)
            for lang, d in per.items() if isinstance(d, dict) and d.get("data_map")]
    if not maps:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for split, lang, m in maps:
        fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
        pts = ax.scatter(m["variability"], m["confidence"], c=m["correctness"], cmap="viridis", s=8, vmin=0, vmax=1)
        sel = [i for i, on in enumerate(m.get("selected", [])) if on]
        ax.scatter([m["variability"][i] for i in sel], [m["confidence"][i] for i in sel], s=22,
                   facecolors="none", edgecolors="red", linewidths=0.6, label="selected")
        ax.set_xlabel("variability (std of p(gold) over epochs)")
        ax.set_ylabel("confidence (mean p(gold))")
        ax.set_title(f"data map {split}/{lang}")
        fig.colorbar(pts, ax=ax, label="correctness")
        ax.legend(loc="lower right", fontsize=7)
        fig.tight_layout()
        name = data_map_file(split, lang)
        fig.savefig(folder / name, metadata={"Software": None})
        plt.close(fig)
        written.append(name)
    return written
