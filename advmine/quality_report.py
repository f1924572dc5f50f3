"""The quality step's figures as people read them: the dataset card's section and `advmine inspect`'s lines, from
the step's stats (split -> lang -> figures), so a card renders without scoring anything again."""
from __future__ import annotations


def _f(x, fmt: str = "{:.1f}") -> str:
    return "-" if x is None else fmt.format(x)


def quality_rows(info: dict) -> list[tuple[str, str, dict]]:
    """(split, lang, figures) of every scored language."""
    return [(split, lang, d) for split, per in info.items() if isinstance(per, dict) and split != "warnings"
            for lang, d in per.items() if isinstance(d, dict) and "reference" in d]


def card_lines(info: dict, mode: str, floor) -> list[str]:
    rows = quality_rows(info)
    if not rows:
        return []
    lines = ["", f"## Translation quality (mode: {mode}, floor: {floor})", "",
             "| split | lang | rows | with reference | chrF++ | BLEU (tokenizer) | copy chrF++ | copy BLEU "
             "| round-trip chrF++ | English kept | identical | length ratio | language ID | below floor |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for split, lang, d in rows:
        r, rt = d["reference"], d.get("roundtrip") or {}
        bleu = f"{_f(r.get('bleu'))} ({r['bleu_tokenize']})" if "bleu" in r else "-"
        rt_s = f"{_f(rt.get('chrf'))} ({rt['rows']} rows, {rt['via']})" if rt else "-"
        lines.append(f"| {split} | {lang} | {d['rows']} | {r['rows']} | {_f(r.get('chrf'))} | {bleu} | "
                     f"{_f(r.get('copy_chrf'))} | {_f(r.get('copy_bleu'))} | {rt_s} | "
                     f"{_f(d.get('english_kept'), '{:.1%}')} | {_f(d.get('identical'), '{:.1%}')} | "
                     f"{_f(d.get('length_ratio'), '{:.2f}')} | {_f(d.get('langid_agreement'), '{:.1%}')} | "
                     f"{d['below_floor']} ({d['unjudged']} unjudged) |")
    lines += ["", "chrF++ (sacrebleu, character 6-grams + word 2-grams) and BLEU are corpus scores over the rows whose "
              "every text has a human translation in a parallel benchmark (matched on the English text after "
              "whitespace normalisation); *copy* scores the untranslated English source against the same references, "
              "so a translation no higher than it is no translation. Where no reference exists, the round trip "
              "translates the output back into English with the translator's reverse direction and scores it "
              "against the source; an English word the translator kept comes back unchanged, so read a round trip "
              "beside *English kept*, never alone. *English kept*: the share of output words that are words of the English source; "
              "*language ID*: the share the langid step agrees is the target language. BLEU tokenizers: 13a, zh for "
              "Chinese, char for Thai (no word segmentation), ja-mecab where MeCab is installed."]
    notes = []
    for split, lang, d in rows:
        r = d["reference"]
        if r.get("read"):
            notes.append(f"- {split}/{lang}: references read from {', '.join(r['read'])}"
                         + (f"; {r['conflicts']} English texts have several translations (the first kept)"
                            if r.get("conflicts") else "")
                         + (f"; scored against {_spans(r['used'])}" if r.get("used") else ""))
        elif r["rows"] == 0:
            notes.append(f"- {split}/{lang}: no parallel benchmark holds references into {lang}"
                         + (f" ({'; '.join(r['missing'])})" if r.get("missing") else ""))
        if d.get("limit"):
            notes.append(f"- {split}/{lang}: {d['limit']}")
        if d.get("warning"):
            notes.append(f"- **warning**: {d['warning']}")
    sig = next((d["reference"].get("chrf_signature") for _, _, d in rows if d["reference"].get("chrf_signature")), None)
    return lines + ([""] + notes if notes else []) + ([f"", f"sacrebleu signature: `{sig}`"] if sig else [])


def _spans(used: dict) -> str:
    from advmine.parallel import runs

    return "; ".join(f"{k} {runs(v['whole']) or '-'}" + (f" (texts shared with {runs(v['partly'])})" if v["partly"]
                                                         else "") for k, v in used.items())


def inspect_lines(d: dict) -> list[str]:
    """One language's quality in two lines (advmine inspect)."""
    r, rt = d["reference"], d.get("roundtrip")
    first = (f"quality: chrF++ {_f(r.get('chrf'))}, BLEU {_f(r.get('bleu'))} ({r.get('bleu_tokenize', '-')}) against "
             f"{r['rows']}/{d['rows']} rows with human references; copy {_f(r.get('copy_chrf'))} / "
             f"{_f(r.get('copy_bleu'))}" if r["rows"] else f"quality: no human reference for these {d['rows']} rows")
    second = (f"  round trip chrF++ {_f(rt['chrf'])} ({rt['rows']} rows, {rt['via']}); " if rt else "  ") + \
        (f"English kept {_f(d.get('english_kept'), '{:.1%}')}, length ratio {_f(d.get('length_ratio'), '{:.2f}')}, "
         f"language ID {_f(d.get('langid_agreement'), '{:.1%}')}, below floor {d['below_floor']}")
    return [first, second] + ([f"  warning: {d['warning']}"] if d.get("warning") else [])
