"""Quality of the offline dictionary translator against human translations (XNLI dev).

XNLI dev rows ROWS (premise and hypothesis of each: 1,000 English segments, nothing deduplicated; the files are
line-aligned across languages) are translated with `DictionaryTranslator(TranslatorConfig())` into every
language it has a lexicon for, and scored against XNLI's human translations with sacrebleu: corpus chrF++
(CHRF(word_order=2)) and BLEU (tokenize "zh" for zh, "char" for th, "13a" otherwise). Beside them: the copy
baseline (the English source itself scored against the reference, what a translator that does nothing gets),
the share of output words that are words of their English source (as advmine.adequacy.english_kept counts:
letter runs of 2+, lower-cased; the reference's own share, names and loan words, is given as its floor), and
the dictionary's word coverage.

Run: `.venv/bin/python bench/bench_dictionary_quality.py --label before` (then `--label after`); each label is
merged into results/dictionary_quality.json, and the table of every label stored there is printed.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

import sacrebleu

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advmine.translators.config import TranslatorConfig  # noqa: E402
from advmine.translators.dictionary import DictionaryTranslator  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "xnli"
RESULTS = Path(__file__).parent / "results" / "dictionary_quality.json"
ROWS = (800, 1300)
LANGS = ["ar", "bg", "de", "el", "es", "fr", "hi", "ru", "sw", "th", "tr", "zh"]
_WORD = re.compile(r"[^\W\d_]{2,}")   # advmine.adequacy's words


def segments(lang: str) -> list[str]:
    """Premise and hypothesis of each row in ROWS, in that order (2 x 500 = 1,000 segments)."""
    with gzip.open(DATA / f"dev-{lang}.tsv.gz", "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    return [t for r in rows[ROWS[0]:ROWS[1]] for t in r[:2]]


def english_kept(src: list[str], out: list[str]) -> float:
    """Share of the output's words (corpus-wide) that are words of their own English source segment."""
    kept = total = 0
    for s, o in zip(src, out):
        words = {w.lower() for w in _WORD.findall(s)}
        found = [w.lower() for w in _WORD.findall(o)]
        kept += sum(w in words for w in found)
        total += len(found)
    return round(kept / total, 4) if total else 0.0


def score(hyp: list[str], ref: list[str], lang: str) -> dict:
    tok = {"zh": "zh", "th": "char"}.get(lang, "13a")
    chrf = sacrebleu.metrics.CHRF(word_order=2).corpus_score(hyp, [ref]).score
    bleu = sacrebleu.metrics.BLEU(tokenize=tok).corpus_score(hyp, [ref]).score
    return {"chrf++": round(chrf, 2), "bleu": round(bleu, 2)}


def run(langs: list[str]) -> dict:
    en = segments("en")
    tr = DictionaryTranslator(TranslatorConfig())
    out: dict = {}
    for lang in langs:
        try:
            model = tr.model_id(lang)
        except Exception as e:   # no lexicon for it: say so, score nothing
            out[lang] = {"skipped": str(e)}
            continue
        ref = segments(lang)
        t0 = time.perf_counter()
        hyp = tr.translate(en, lang)
        secs = time.perf_counter() - t0
        cov = tr.coverage(en, lang)
        out[lang] = {"model": model, "segments": len(en), **score(hyp, ref, lang),
                     "copy": score(en, ref, lang), "english_kept": english_kept(en, hyp),
                     "ref_english_kept": english_kept(en, ref),
                     "coverage": round(cov["covered"] / cov["words"], 4) if cov["words"] else 0.0,
                     "seconds": round(secs, 2), "examples": [{"en": e, "out": h, "ref": r}
                                                            for e, h, r in list(zip(en, hyp, ref))[:3]]}
        print(f"  {lang}: chrF++ {out[lang]['chrf++']:.1f}  ({secs:.1f} s)", flush=True)
    return out


def table(results: dict) -> str:
    labels = list(results)
    head = "| lang | copy chrF++ | copy BLEU | " + " | ".join(
        f"{lb} chrF++ | {lb} BLEU | {lb} English kept | {lb} coverage" for lb in labels) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    langs = list(dict.fromkeys(x for lb in labels for x in results[lb]["langs"]))
    for lang in langs:
        base = next((results[lb]["langs"][lang] for lb in labels if "copy" in results[lb]["langs"].get(lang, {})),
                    None)
        cells = [lang, f"{base['copy']['chrf++']:.1f}" if base else "-", f"{base['copy']['bleu']:.1f}" if base else "-"]
        for lb in labels:
            r = results[lb]["langs"].get(lang, {})
            if "chrf++" not in r:
                cells += ["-"] * 4
                continue
            cells += [f"{r['chrf++']:.1f}", f"{r['bleu']:.1f}", f"{100 * r['english_kept']:.1f}%",
                      f"{100 * r['coverage']:.1f}%"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--label", required=True, help="key in results/dictionary_quality.json (before, after)")
    ap.add_argument("--langs", nargs="*", default=LANGS)
    args = ap.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results[args.label] = {"rows": f"XNLI dev rows {ROWS[0]}-{ROWS[1] - 1}, premise + hypothesis",
                           "sacrebleu": sacrebleu.__version__, "langs": run(args.langs)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    print(table(results))


if __name__ == "__main__":
    main()
