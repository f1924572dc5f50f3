"""What a selected subset holds, per language, beside its candidate rows (the card, `advmine inspect`, the
`stilts compare` setup section): its label mix, an estimate of label noise, translation adequacy, language-ID
agreement, lengths and the English left untranslated. A reader then knows whether "hard" means hard-but-correct,
one skewed class, mislabelled rows or broken translations.

Noise: the share of rows whose gold label the cross-fitted reference (advmine.reference, never trained on the
row's source example) gives p < 0.1, on the English source, beside a seeded random subset of the same size. A
reference that is right on few rows rarely gives any row p < 0.1 and cannot tell noise from hardness: below
WEAK_BELOW cross-fitted accuracy the figure is marked as weak evidence."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NOISE_P = 0.1        # gold-label probability under which a row counts as probably mislabelled
WEAK_BELOW = 0.75    # reference accuracy under which the noise figure is weak evidence


@dataclass
class GroupFacts:
    """Per-row facts of one language group, computed once by the select step (NaN where unknown)."""
    strata: np.ndarray | None        # class per row (None: the kind has none)
    label_names: list[str]
    chars: np.ndarray                # characters per row (its embedded texts; script-neutral, unlike words)
    adequacy: np.ndarray             # worst text cosine to the source
    floor: float                     # the language's calibrated adequacy floor
    english_kept: np.ndarray         # share of words that are the source's English words
    untranslated: np.ndarray         # bool: every text identical to the source's
    langid_ok: np.ndarray | None     # bool per row, where the build checked languages
    p_gold_row: np.ndarray | None    # reference p(gold) of the row as it is (its language)
    correct_row: np.ndarray | None   # reference right on the row as it is
    p_gold_src: np.ndarray | None    # reference p(gold) of the row's English source (out of fold)
    reference: dict | None           # name, accuracy (cross-fitted, English), folds


def _mean(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)] if x.dtype.kind == "f" else x
    return round(float(np.mean(x)), 4) if len(x) else None


def _shares(strata: np.ndarray, values: list) -> list[float]:
    return [round(float(np.mean(strata == v)), 4) if len(strata) else 0.0 for v in values]


def subset_diagnostics(facts: GroupFacts, selected: np.ndarray, seed: int) -> dict:
    """The JSON-able diagnostics of one language's subset (`selected`: row positions) and its candidates."""
    n = len(facts.chars)
    rand = np.sort(np.random.default_rng(seed + 7919).permutation(n)[:len(selected)])
    out: dict = {"rows": n, "selected": int(len(selected))}
    if facts.strata is not None and n:
        values = sorted(set(facts.strata.tolist()))
        sub, src = _shares(facts.strata[selected], values), _shares(facts.strata, values)
        names = [facts.label_names[v] if 0 <= v < len(facts.label_names) else str(v) for v in values]
        out["labels"] = {"names": names, "subset": sub, "source": src,
                         "max_dev_points": round(max(abs(a - b) for a, b in zip(sub, src)) * 100, 1)}
    if facts.reference is not None and facts.p_gold_src is not None:
        out["reference"] = dict(facts.reference, weak=facts.reference["accuracy"] < WEAK_BELOW)
        noisy = (facts.p_gold_src < NOISE_P).astype(float)
        noisy[np.isnan(facts.p_gold_src)] = np.nan
        out["noise"] = {"subset": _mean(noisy[selected]), "random": _mean(noisy[rand]), "all": _mean(noisy),
                        "threshold": NOISE_P}
        out["ref_accuracy"] = {"subset": _mean(facts.correct_row[selected]), "random": _mean(facts.correct_row[rand]),
                               "all": _mean(facts.correct_row)}
        out["p_gold"] = {"subset": _mean(facts.p_gold_row[selected]), "all": _mean(facts.p_gold_row)}
    a = facts.adequacy
    if n and not np.isnan(a).all():
        sa = a[selected]
        sa = sa[~np.isnan(sa)]
        out["adequacy"] = {"mean": _mean(sa), "p5": round(float(np.quantile(sa, 0.05)), 4) if len(sa) else None,
                           "below": _mean((sa < facts.floor).astype(float)) if len(sa) else None,
                           "floor": round(facts.floor, 4), "mean_all": _mean(a),
                           "below_all": _mean((a[~np.isnan(a)] < facts.floor).astype(float))}
    if facts.langid_ok is not None:
        out["langid_ok"] = {"subset": _mean(facts.langid_ok[selected].astype(float)),
                            "all": _mean(facts.langid_ok.astype(float))}
    out["chars"] = {"subset": _mean(facts.chars[selected]), "all": _mean(facts.chars)}
    out["english_kept"] = {"subset": _mean(facts.english_kept[selected]), "all": _mean(facts.english_kept)}
    out["untranslated"] = {"subset": _mean(facts.untranslated[selected].astype(float)),
                           "all": _mean(facts.untranslated.astype(float))}
    return out


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None, nd: int = 3) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def describe(d: dict) -> list[str]:
    """One language's diagnostics as short plain lines (the card's bullet list and `advmine inspect`)."""
    lines = []
    if "labels" in d:
        lab = d["labels"]
        mix = lambda s: " / ".join(f"{n} {100 * v:.1f}" for n, v in zip(lab["names"], s))  # noqa: E731
        lines.append(f"labels (%): subset {mix(lab['subset'])}; candidates {mix(lab['source'])}; largest "
                     f"deviation {lab['max_dev_points']:.1f} points")
    if "noise" in d:
        ref, nz, acc = d["reference"], d["noise"], d["ref_accuracy"]
        weak = " (WEAK evidence: the reference is right on too few rows to call a row mislabelled)" if ref["weak"] \
            else ""
        lines.append(f"label noise (reference p(gold) < {nz['threshold']} on the English source): subset "
                     f"{_pct(nz['subset'])}, random subset of the same size {_pct(nz['random'])}{weak}")
        lines.append(f"reference: {ref['name']}, cross-fitted ({ref['folds']} folds) accuracy on the English "
                     f"source {_pct(ref['accuracy'])}; its accuracy on the subset as it is {_pct(acc['subset'])}, "
                     f"on the random subset {_pct(acc['random'])}")
    else:
        lines.append("label noise: no reference classifier for this task kind")
    if "adequacy" in d:
        a = d["adequacy"]
        lines.append(f"adequacy (cosine source vs translation, worst text of a row): mean {_num(a['mean'])}, 5th "
                     f"percentile {_num(a['p5'])}, below the floor {_num(a['floor'])} {_pct(a['below'])} (all "
                     f"candidates: mean {_num(a['mean_all'])}, below {_pct(a['below_all'])})")
    if "langid_ok" in d:
        lines.append(f"language ID agrees: subset {_pct(d['langid_ok']['subset'])}, candidates "
                     f"{_pct(d['langid_ok']['all'])}")
    lines.append(f"characters per row: subset {_num(d['chars']['subset'], 1)}, candidates {_num(d['chars']['all'], 1)}; "
                 f"English words kept (dictionary misses): subset {_pct(d['english_kept']['subset'])}, candidates "
                 f"{_pct(d['english_kept']['all'])}; rows left untranslated: subset "
                 f"{_pct(d['untranslated']['subset'])}, candidates {_pct(d['untranslated']['all'])}")
    return lines


def card_lines(per_split: dict[str, dict[str, dict]]) -> list[str]:
    """The card's diagnostics section from the select step's stats (split -> lang -> diagnostics)."""
    lines = ["", "## What the selected subsets hold", "",
             "Per language, the subset beside its candidate rows. Adequacy floor: the 95th percentile of the cosine "
             "between source texts and randomly paired other translations of the same language (advmine/adequacy.py)."
             " Noise is estimated on each row's English source by a reference never trained on it "
             "(advmine/diagnostics.py)."]
    for split, per in per_split.items():
        for lang, d in per.items():
            lines += ["", f"**{split} / {lang}** ({d['selected']} of {d['rows']} rows)", ""]
            lines += [f"* {x}" for x in describe(d)]
    return lines
