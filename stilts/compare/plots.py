"""PNG plots of a grid's results (also drawn by notebooks/compare_results.ipynb): per task, one bar per condition
and language with its 95% interval; and each condition's difference to the baseline grouped by language
family and by script."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def colors(r: dict) -> dict[str, str]:
    """One colour per condition, the same in every plot."""
    palette = [f"C{i}" for i in range(10)]
    return {c: palette[i % 10] for i, c in enumerate(r["scores"])}


def per_language(r: dict, task: str):
    """Grouped bars: languages on the x axis, a bar per condition, error bars = bootstrap 95% CI (or ± std)."""
    plt = _plt()
    langs, conds = r["tasks"][task]["langs"], list(r["scores"])
    width = 0.8 / max(len(conds), 1)
    color = colors(r)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(langs) * max(1, len(conds) / 3)), 4.0))
    x = np.arange(len(langs))
    for i, cond in enumerate(conds):
        rows = [r["scores"][cond][task].get(lg, {}) for lg in langs]
        means = np.array([e.get("mean", np.nan) for e in rows], dtype=float)
        if all("lo" in e for e in rows):
            err = np.array([[m - e["lo"], e["hi"] - m] for m, e in zip(means, rows)]).T
        else:
            err = np.array([e.get("std", 0.0) for e in rows])
        ax.bar(x + (i - (len(conds) - 1) / 2) * width, means, width, yerr=err, capsize=2, label=cond,
               color=color[cond])
    ax.set_xticks(x, langs)
    ax.set_ylabel(f"{task} {r['tasks'][task]['score'] if r['tasks'][task]['score'] != 'main score' else r['tasks'][task]['metric']}")
    ax.set_title(f"{task}: zero-shot score per language (95% CI over test examples and seeds)")
    ax.legend(fontsize=8, ncols=min(len(conds), 3))
    fig.tight_layout()
    return fig


def delta_by_group(r: dict):
    """Two panels (family, script): each condition's difference to the baseline with its 95% CI."""
    plt = _plt()
    base = r["grid"]["baseline"]
    conds = list(r["delta_groups"])
    fig, axes = plt.subplots(1, 2, figsize=(12.0, 5.0))
    color = colors(r)
    for ax, kind in zip(axes, ("family", "script")):
        groups = sorted({g for c in conds for g in r["delta_groups"][c].get(kind, {})})
        y = np.arange(len(groups))
        height = 0.8 / max(len(conds), 1)
        for i, cond in enumerate(conds):
            rows = [r["delta_groups"][cond].get(kind, {}).get(g) for g in groups]
            diffs = np.array([e["diff"] if e else np.nan for e in rows])
            err = np.array([[e["diff"] - e["lo"], e["hi"] - e["diff"]] if e else [0, 0] for e in rows]).T
            ax.barh(y - (i - (len(conds) - 1) / 2) * height, diffs, height, xerr=err, capsize=2, label=cond,
                    color=color[cond])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, [f"{g} ({len(next(r['delta_groups'][c][kind][g]['langs'] for c in conds if g in r['delta_groups'][c].get(kind, {})))})"
                          for g in groups], fontsize=8)
        ax.set_xlabel(f"difference to {base} (points, 95% CI)")
        ax.set_title(f"by language {kind} (number of languages)")
        ax.invert_yaxis()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncols=min(len(conds), 4), fontsize=8)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def write_plots(r: dict, out: str | Path) -> list[Path]:
    plt = _plt()
    d = Path(out) / "plots"
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for task in r["tasks"]:
        fig = per_language(r, task)
        written.append(_save(fig, d / f"{task}_per_language.png"))
        plt.close(fig)
    if r["delta_groups"]:
        fig = delta_by_group(r)
        written.append(_save(fig, d / "delta_by_family_and_script.png"))
        plt.close(fig)
    return written


def _save(fig, path: Path) -> Path:
    tmp = path.with_name("." + path.name)
    fig.savefig(tmp, dpi=110, format="png")
    tmp.rename(path)
    return path
