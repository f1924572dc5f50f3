"""Reader of Debian's FreeDict dictionaries (dictd format: a `.index` of `key<TAB>offset<TAB>size`, numbers in
base 64, and a gzip `.dict.dz` of entries), in either direction (freedict-eng-XXX, freedict-XXX-eng). Read at
run time, never vendored (GPL).

An entry is a headword line (`go /ɡˈəʊ/ (went …, gone …) <v>`) and then lines of translations, notes,
examples and cross-references, whose layout differs from one dictionary to the next. What the translator
wants of it is one plain translation: `read_freedict` keys each entry by the headword written in the entry
itself (the index's keys are normalised, lower-cased and stripped of punctuation, and also list
abbreviations and variants pointing at other entries: `he` finds `His (Her) Eminence (HE)`), takes the
first sense of its first translation line with the dictionaries' annotations removed (grammar `<masc>`,
labels `[mus.]`, parentheses, `etw.`/`jdm.` placeholders, Hindi's `~` joiners, Bulgarian stress marks),
follows Turkish `(bak.) X` ("see X") references, and where several entries share a headword keeps the
one whose translation is most common in the dictionary (the number of entries whose translations use its
rarest word): `well` is `gut`/`nun` rather than the first entry's `Absturzschacht`.
"""
from __future__ import annotations

import functools
import gzip
import re
from collections import Counter
from pathlib import Path

from advmine.cache import file_digest

PARSER_VERSION = 2          # in the dictionary translator's cache id: a parser change re-translates
FREEDICT_DIRS = [Path("/usr/share/dictd")]
# ISO 639-1 -> FreeDict's ISO 639-3 code (packages dict-freedict-eng-XXX); none exists for th, ur, vi, zh.
FREEDICT_CODES = {"ar": "ara", "sw": "swh", "bg": "bul", "de": "deu", "el": "ell", "fr": "fra", "hi": "hin",
                  "ru": "rus", "es": "spa", "tr": "tur", "id": "ind", "ja": "jpn", "af": "afr", "fi": "fin",
                  "hu": "hun", "it": "ita", "lt": "lit", "nl": "nld", "pl": "pol", "pt": "por"}
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

_PRON = re.compile(r"/+[^/\n]*/+")                    # /ɡˈəʊ/, Bulgarian //ɡoʊ//
_GROUPS = re.compile(r"<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\}|\([^()]*\)")   # <masc> [mus.] {see} (allein)
_PLACEHOLDER_EN = re.compile(r"(?<!\w)(?:sth|sb|so)\.(?:'s)?(?=\s|$)")   # say sth. -> say
_PLACEHOLDER_DE = re.compile(r"(?<!\w)(?:jd[mns]?|etw)\.(?:/(?:einer|einem|einen|eine) Sache)?")
_SKIP = re.compile(r'^\s*(?:Note:|see:|See also:|Synonyms?:|"|<)')
_SENSE_SPLIT = re.compile(r"[,;]|\s[-–]\s|\.\s")
_SEE_TR = re.compile(r"^\(bak\.\)\s*([^.,;()]+)")     # Turkish: "(bak.) abide." = see abide
_STRESS = "\u0301\u0300"                             # combining accents marking stress (Bulgarian, Russian)
_EDGE = " \t.,;:!?¡¿\"'“”„«»-–—…"


def dictd_number(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


def find_pair(src: str, tgt: str) -> tuple[Path, Path] | None:
    """(index, data) of freedict-{src}-{tgt} in FREEDICT_DIRS (ISO 639-3 codes), or None."""
    for d in FREEDICT_DIRS:
        index, data = d / f"freedict-{src}-{tgt}.index", d / f"freedict-{src}-{tgt}.dict.dz"
        if index.is_file() and data.is_file():
            return index, data
    return None


def entries(index: str, data: str, key: str | None = None) -> list[str]:
    """The entries' texts, each once, in index order (only those the index lists under `key`, if given)."""
    with gzip.open(data, "rb") as f:
        blob = f.read()
    seen: set[int] = set()
    out = []
    with open(index, encoding="utf-8") as f:
        for line in f:
            head, off, size = line.rstrip("\n").split("\t")
            if head.startswith("00database") or (key is not None and head != key):
                continue
            start = dictd_number(off)
            if start not in seen:
                seen.add(start)
                out.append(blob[start:start + dictd_number(size)].decode("utf-8", "replace"))
    return out


def headwords(first_line: str) -> tuple[str, str | None]:
    """(headword, fallback key) of an entry's first line: pronunciation, grammar and parenthesised variants
    removed (`His (Her) Eminence /…/ (HE /…/)` is `His Eminence`, not `he`), English placeholders dropped
    (`say sth.` is `say`); `to vanish` is also a fallback key `vanish`, used only where no entry is `vanish`."""
    head = _PRON.sub(" ", first_line)
    while (cleaned := _GROUPS.sub(" ", head)) != head:
        head = cleaned
    head = " ".join(_PLACEHOLDER_EN.sub(" ", head).split())
    words = head.split()
    return head, (words[1] if len(words) == 2 and words[0] == "to" else None)


def clean(text: str) -> str:
    """A translation without the dictionaries' annotations: <grammar>, [labels], {notes}, (parentheses),
    etw./jdm. placeholders, sense numbers, Hindi's ~ and _ word joiners, stress accents, ellipses."""
    while (cleaned := _GROUPS.sub(" ", text)) != text:
        text = cleaned
    text = _PLACEHOLDER_DE.sub(" ", text)
    text = re.sub(r"(?<!\S)\d+\.(?!\S)", " ", text).replace("~", " ").replace("_", " ")
    text = text.replace("…", " ").replace("...", " ")
    text = "".join(ch for ch in text if ch not in _STRESS)
    return " ".join(text.split())


def first_sense(line: str) -> str | None:
    """The first sense of a translation line (senses split at , ; ' - ' and '. '), cleaned; None if none."""
    line = re.sub(r"^\s*\d+\.\s*", "", line)
    for sense in _SENSE_SPLIT.split(clean(line)):
        sense = sense.strip(_EDGE)
        if sense and "(" not in sense and ")" not in sense and any(ch.isalpha() for ch in sense):
            return sense
    return None


def parse_entry(body: str) -> tuple[str, str | None, str | None, str | None]:
    """(headword, fallback key, translation, Turkish see-reference) of one entry's text."""
    lines = body.split("\n")
    head, fallback = headwords(lines[0])
    for line in lines[1:]:
        if not line.strip() or _SKIP.match(line):
            continue
        see = _SEE_TR.match(re.sub(r"^\s*\d+\.\s*", "", line))
        if see:
            return head, fallback, None, see.group(1).strip()
        return head, fallback, first_sense(line), None
    return head, fallback, None, None


def read_freedict(index: str, data: str) -> dict[str, str]:
    """Headword -> translation of a dictd dictionary, once per content. Keys are headwords as the entries
    write them (case kept: `May` is Mai, `may` dürfen); a lower-cased key is added where no headword has
    that form, so that `Go` (Arabic's entries are capitalised) is found as `go`."""
    return _read_freedict(index, data, file_digest(index), file_digest(data))


@functools.lru_cache(maxsize=None)
def _read_freedict(index: str, data: str, index_digest: str, data_digest: str) -> dict[str, str]:
    candidates: dict[str, list[str]] = {}
    fallbacks: dict[str, list[str]] = {}
    refs: dict[str, str] = {}
    used: Counter[str] = Counter()        # how many entries' translation lines use each word
    for body in entries(index, data):
        head, fallback, sense, see = parse_entry(body)
        if not head:
            continue
        if see:
            refs.setdefault(head, see)
        if sense:
            candidates.setdefault(head, []).append(sense)
            if fallback:
                fallbacks.setdefault(fallback, []).append(sense)
        line = next((x for x in body.split("\n")[1:] if x.strip() and not _SKIP.match(x)), "")
        used.update({w.lower() for w in re.findall(r"\w+", clean(line))})

    def best(senses: list[str]) -> str:   # the commonest (by its rarest word); the first on a tie
        return max(senses, key=lambda s: min((used[w.lower()] for w in re.findall(r"\w+", s)), default=0))

    table = {head: best(senses) for head, senses in candidates.items()}
    for head, senses in fallbacks.items():
        table.setdefault(head, best(senses))
    for head, see in refs.items():
        if head not in table and (see in table or see.lower() in table):
            table[head] = table.get(see) or table[see.lower()]
    for head in list(table):
        table.setdefault(head.lower(), table[head])
    return table
