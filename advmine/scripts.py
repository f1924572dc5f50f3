"""Word boundaries that respect the script: Thai has no spaces (pythainlp), Chinese and Japanese are split into
characters, everything else on whitespace and punctuation."""
from __future__ import annotations

import re

NO_SPACE_LANGS = {"th", "zh", "ja", "my", "lo", "km"}
_WORD = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)
_PUNCT_NO_SPACE_BEFORE = set(".,;:!?)]}%…،؛؟。，、！？：；")


def split_words(text: str, lang: str) -> list[str]:
    if lang == "th":
        from pythainlp.tokenize import word_tokenize

        return [w for w in word_tokenize(text, engine="newmm", keep_whitespace=False) if w.strip()]
    if lang in ("zh", "ja"):
        return [c for c in text if not c.isspace()]
    return _WORD.findall(text)


def join_words(words: list[str], lang: str) -> str:
    """Inverse of split_words for generated text: no spaces in Thai/Chinese/Japanese, none before punctuation."""
    words = [w for w in words if w]
    out = ""
    if lang in NO_SPACE_LANGS:  # but untranslated Latin words keep their spaces: "ฉัน like it" not "ฉันlikeit",
        for w in words:         # and "Well, well" not "Well,well"
            if out and (out[-1].isascii() and (out[-1].isalnum() or out[-1] in ",;:!?.")) and w[0].isascii() \
                    and w[0].isalnum():
                out += " "
            out += w
        return out
    for w in words:
        if out and not (w[0] in _PUNCT_NO_SPACE_BEFORE or out[-1] in "([{¿¡"):
            out += " "
        out += w
    return out


def is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)
