"""Quality of the offline dictionary translator against human translations (XNLI dev).

XNLI dev rows ROWS (premise and hypothesis of each: 1,000 English segments, nothing deduplicated; the files are
line-aligned across languages) are translated with `DictionaryTranslator(TranslatorConfig())` into every
language it has a lexicon for, and scored against XNLI's human translations with sacrebleu: corpus chrF++
and BLEU by advmine.quality.corpus_scores, as a build scores them (tokenize "zh" for zh, "char" for th, "13a"
otherwise). Beside them: the copy baseline (the English source itself scored against the reference, what a translator that does nothing gets),
the share of output words that are words of their English source (as advmine.adequacy.english_kept counts:
letter runs of 2+, lower-cased; the reference's own share, names and loan words, is given as its floor), and
the dictionary's word coverage.

Run: `.venv/bin/python bench/bench_dictionary_quality.py --label before` (then `--label after`); each label is
merged into results/dictionary_quality.json, and the table of every label stored there is printed.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import sacrebleu

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advmine.adequacy import _WORD  # noqa: E402  (its words: letter runs of 2+)
from advmine.quality import corpus_scores  # noqa: E402
from advmine.translators.config import TranslatorConfig  # noqa: E402
from advmine.translators.dictionary import DictionaryTranslator  # noqa: E402
from bench_translation_quality import ROWS, SHARED, segments  # noqa: E402  (the same rows, read the same way)

RESULTS = Path(__file__).parent / "results" / "dictionary_quality.json"
LANGS = ["ar", "bg", "de", "el", "es", "fr", "hi", "ru", "sw", "th", "tr", "zh"]


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
    """chrF++ and BLEU as a build scores them (advmine.quality: the tokenizer for the script)."""
    scores = corpus_scores(hyp, ref, lang)
    return {"chrf++": scores["chrf"], "bleu": scores["bleu"]}


def run(langs: list[str]) -> dict:
    en = segments("en", SHARED)
    tr = DictionaryTranslator(TranslatorConfig())
    out: dict = {}
    for lang in langs:
        try:
            model = tr.model_id(lang)
        except Exception as e:   # no lexicon for it: say so, score nothing
            out[lang] = {"skipped": str(e)}
            continue
        ref = segments(lang, SHARED)
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
