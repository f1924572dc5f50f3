"""Translation quality of every offline translator against XNLI's human translations (issue 33, point 4).

The rows: XNLI dev rows 800-1299 (premise and hypothesis of each: 1,000 English segments, line-aligned across the
15 language files of ../shared/data/xnli). No committed grid evaluates them: docs/real-data evaluates dev rows
500-799 (configs/grids/real-data.yaml: skip 500, limit 300), and the quality grid trains on rows 800-2489 but
never evaluates them. Each translator turns the 1,000 English segments into every XNLI language it serves, and
advmine.quality scores them exactly as a build does: sacrebleu corpus chrF++ and BLEU (the tokenizer for the
script, recorded), against the professional translations of the same rows.

Translators: identity (the copy baseline: the English itself), dictionary (kit lexicons + FreeDict), apertium
(Debian's rule-based MT, es only among XNLI's languages), reference (the XNLI human translations themselves:
100 by construction, the check that the matching is right) and NLLB-200-distilled-600M where a GPU and the hub
are both present. A translator that cannot serve a language says why, in the results. Speed: segments per second
of a second, warm call (dictionaries read, caches of sense choices filled), beside the first call's seconds; one
process, one core in use (the translators are single-threaded), on this machine.

Run: `.venv/bin/python bench/bench_translation_quality.py` (about a minute on 2 cores; writes
results/translation_quality.json and prints the table the datasets page cites).
"""
from __future__ import annotations

import argparse
import gzip
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advmine.quality import corpus_scores  # noqa: E402
from advmine.translators import make_translator  # noqa: E402
from advmine.translators.config import TranslatorConfig  # noqa: E402
from stilts.core.errors import StiltsError  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RESULTS = Path(__file__).parent / "results" / "translation_quality.json"
ROWS = (800, 1300)
LANGS = ["ar", "bg", "de", "el", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"]
NLLB = "facebook/nllb-200-distilled-600M"


def segments(lang: str, data: Path) -> list[str]:
    """Premise and hypothesis of each row in ROWS, in that order."""
    with gzip.open(data / "xnli" / f"dev-{lang}.tsv.gz", "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    return [t for r in rows[ROWS[0]:ROWS[1]] for t in r[:2]]


def configs(data: Path) -> dict[str, TranslatorConfig | str]:
    """Each translator's config, or why this session cannot run it."""
    out: dict[str, TranslatorConfig | str] = {
        "identity": TranslatorConfig(name="identity"),
        "dictionary": TranslatorConfig(name="dictionary"),
        "apertium": TranslatorConfig(name="apertium"),
        "reference": TranslatorConfig(name="reference", reference="xnli", reference_source="data-dir",
                                      reference_data_dir=str(data)),
    }
    import torch

    if not torch.cuda.is_available():
        out["nllb"] = f"not run: {NLLB} needs a GPU and the hub, and this session has neither"
    else:
        out["nllb"] = TranslatorConfig(name="nllb", model_id=NLLB, dtype="bf16")
    return out


def run_one(cfg: TranslatorConfig, en: list[str], ref: list[str], lang: str) -> dict:
    tr = make_translator(cfg)
    try:
        model = tr.model_id(lang)
        check = getattr(tr, "check", None)
        if check:
            check(lang)
        t0 = time.perf_counter()
        hyp = tr.translate(en, lang)
        cold = time.perf_counter() - t0
    except StiltsError as e:
        return {"unavailable": str(e)}
    t0 = time.perf_counter()
    tr.translate(en, lang)
    warm = time.perf_counter() - t0
    kept = [h if h is not None else "" for h in hyp]
    scores = corpus_scores(kept, ref, lang)
    return {"model": model, "segments": scores["segments"], "missing": sum(h is None for h in hyp),
            "chrf++": scores["chrf"], "bleu": scores["bleu"], "bleu_tokenize": scores["bleu_tokenize"],
            "first_call_s": round(cold, 2), "segments_per_s": round(len(en) / warm, 1) if warm else None,
            "chrf_signature": scores["chrf_signature"], "bleu_signature": scores["bleu_signature"]}


def table(results: dict) -> str:
    names = list(results["translators"])
    lines = ["| lang | " + " | ".join(f"{n} chrF++ / BLEU" for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for lang, per in results["langs"].items():
        cells = [f"{per[n]['chrf++']:.1f} / {per[n]['bleu']:.1f}" if "chrf++" in per[n] else "-" for n in names]
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    lines += ["", "| translator | languages | segments/s (warm, median) | first call s (median; reads its data) |",
              "|---|---|---|---|"]
    for n in names:
        runs = [per[n] for per in results["langs"].values() if per[n].get("segments_per_s")]
        if runs:
            lines.append(f"| {n} | {len(runs)} | {statistics.median(r['segments_per_s'] for r in runs):,.0f} | "
                         f"{statistics.median(r['first_call_s'] for r in runs):.2f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=SHARED)
    ap.add_argument("--langs", nargs="*", default=LANGS)
    args = ap.parse_args()
    import sacrebleu

    en = segments("en", args.data_dir)
    cfgs = configs(args.data_dir)
    langs: dict[str, dict] = {}
    for lang in args.langs:
        ref = segments(lang, args.data_dir)
        langs[lang] = {}
        for name, cfg in cfgs.items():
            langs[lang][name] = {"unavailable": cfg} if isinstance(cfg, str) else run_one(cfg, en, ref, lang)
            r = langs[lang][name]
            print(f"  {lang} {name}: " + (f"chrF++ {r['chrf++']:.1f} BLEU {r['bleu']:.1f}" if "chrf++" in r
                                          else r["unavailable"][:90]), flush=True)
    results = {"rows": f"XNLI dev rows {ROWS[0]}-{ROWS[1] - 1}, premise + hypothesis ({len(en)} segments)",
               "sacrebleu": sacrebleu.__version__, "machine": f"{platform.processor() or platform.machine()}, "
               "CPU only", "translators": list(cfgs), "langs": langs}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    tmp.replace(RESULTS)
    print(table(results))


if __name__ == "__main__":
    main()
