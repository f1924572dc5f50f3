"""Reading FreeDict's dictd files (`.index` + gzip `.dict.dz`) into one translation per headword.

A headword has several entries (German `and`: "sowie <conj>", "und <conj>", "wobei <pron, rel>"), and its index
also points at entries it only abbreviates ("HE" -> "His (Her) Eminence") or inflects ("went" -> "go"). The
first entry in index order is often a rare sense, and the raw sense lines carry grammar, register and slot
annotations ("<neut>", "[mus.]", "jds.", "([+ dat])") that must never reach a translated sentence. So each
candidate translation is cleaned, and the best is chosen by, in order: the entry is the headword's own (not an
inflection alias), and written in lower case when the headword is ("may", not the month "May"); the reverse
dictionary translates it back to the headword (FreeDict's X-eng, where Debian ships one); its sense carries no
register or domain tag; it is no definition (at most two words longer than the headword); it is the more frequent word of its language (wordfreq's Zipf scale: "und" over
"wobei", "der" over "zum"); it comes earlier among its entry's alternatives; the entry has more usage examples;
then index order.

Bump PARSER_VERSION when the choice or the cleaning changes: translation cache ids carry it, so cached outputs
of an older reader are never served as this one's."""
from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from advmine.cache import file_digest

PARSER_VERSION = 2
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Bracketed annotations (grammar <...>, register/domain [...], cross references {...}, glosses (...)), IPA
# between slashes, and slot fillers ("jds.", "etw.", "sth.", "u.") that stand for an argument, not a word.
_ANNOTATION = re.compile(r"<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\([^)]*\)|/[^/\s][^/]*/")
_SLOT = re.compile(r"(?<!\S)(?:jd[msn]?\.?|etw\.?|sth\.?|sb\.?|so\.|o\.s\.|\w{1,3}\.|\d+\.)(?!\S)")
_SPLIT = re.compile(r"\s+-\s+|[,;/]")
_SKIP_LINE = re.compile(r'^\s*(?:Note:|Synonyms?:|see:|Antonyms?:|")')


def _dictd_number(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


def clean_sense(text: str) -> list[str]:
    """The translations one sense line offers, annotations and slot fillers removed, in the line's order."""
    text = _ANNOTATION.sub(" ", text.replace("~", " ").replace("…", " ").replace("...", " "))
    out = []
    for part in _SPLIT.split(text):
        part = " ".join(_SLOT.sub(" ", part).split()).strip(" .:!?'\"")
        if part and any(ch.isalpha() for ch in part) and not set(part) & set("()[]<>{}") and part not in out:
            out.append(part)
    return out


@dataclass(frozen=True)
class Candidate:
    text: str
    alias: bool        # the index head only abbreviates or inflects the entry's headword
    capital: bool      # the entry's headword is capitalised (a name, a month: "May" for the modal "may")
    tagged: bool       # the sense line carries a register or domain tag ([ugs.], [jur.], [Am.])
    position: int      # place among the entry's alternatives (its first sense line's first: 0)
    examples: int      # usage examples in the entry
    order: int         # entry order in the index


def _entry_head(first_line: str) -> str:
    return re.split(r"\s+/|\s+<", first_line, maxsplit=1)[0].strip()


def _inflects(first_line: str, head: str) -> bool:
    """Whether `head` is one of the inflected forms the entry lists ("go (went /wɛnt/ <>, gone ... <>)")."""
    forms = re.finditer(r"[(,]\s*([^(),/]+?)\s+/[^/]*/\s*<>", first_line)
    return any(m.group(1).strip().lower() == head for m in forms)


def candidates(body: str, head: str, order: int) -> list[Candidate]:
    """The translations an entry offers for the index head `head` (lower case); none for an abbreviation alias.
    The first sense line counts, and the numbered ones after it ("1. ...", "2. ..."); later unnumbered lines
    are notes, examples or English glosses."""
    lines = body.split("\n")
    entry_head = _entry_head(lines[0])
    own = entry_head.lower() == head
    if not own and not _inflects(lines[0], head):
        return []
    capital = entry_head[:1].isupper()
    examples = sum(1 for line in lines if line.lstrip().startswith('"'))
    found: list[Candidate] = []
    for line in lines[1:]:
        if not line.strip() or _SKIP_LINE.match(line) or (found and not re.match(r"\s*\d+\.", line)):
            continue
        tagged = bool(re.search(r"\[[^\]]*\]", line))
        found += [Candidate(a, not own, capital, tagged, len(found) + i, examples, order)
                  for i, a in enumerate(clean_sense(line))]
    return found


class Entries:
    """One dictd dictionary's entries, parsed on demand: the index is read once, an entry's body only when its
    headword is looked up (English-German has 367k headwords; parsing them all costs seconds and ~1 GB)."""

    def __init__(self, index: str, data: str):
        with gzip.open(data, "rb") as f:
            self._blob = f.read()
        self._where: dict[str, list[tuple[int, int, int]]] = {}
        with open(index, encoding="utf-8") as f:
            for order, line in enumerate(f):
                head, off, size = line.rstrip("\n").split("\t")
                if not head.startswith("00database"):
                    self._where.setdefault(head.strip().lower(), []).append(
                        (order, _dictd_number(off), _dictd_number(size)))
        self._parsed: dict[str, list[Candidate]] = {}

    def heads(self) -> Iterator[str]:
        """Every lower-cased headword of the index (abbreviation aliases included)."""
        return iter(self._where)

    def get(self, head: str) -> list[Candidate]:
        """The candidates of a lower-cased headword, in index order (none: empty)."""
        if head not in self._parsed:
            found: list[Candidate] = []
            for order, start, size in self._where.get(head, ()):
                found += candidates(self._blob[start:start + size].decode("utf-8", "replace"), head, order)
            self._parsed[head] = found
        return self._parsed[head]


def read_entries(index: str, data: str) -> Entries:
    """A dictionary's entries, read once per content."""
    return _read_entries(index, data, file_digest(index), file_digest(data))


@functools.lru_cache(maxsize=8)
def _read_entries(index: str, data: str, index_digest: str, data_digest: str) -> Entries:
    return Entries(index, data)


def _confirmed(c: Candidate, head: str, back: Entries | None) -> bool:
    """Whether the reverse dictionary translates `c` back as `head` (in any of its own entries)."""
    return back is not None and any(b.text.lower() == head for b in back.get(c.text.lower()) if not b.alias)


def _frequency(text: str, lang: str | None) -> float:
    """The candidate's Zipf frequency in its language (wordfreq; 0 where wordfreq has no list for it)."""
    if not lang or lang not in _wordfreq_languages():
        return 0.0
    import wordfreq

    try:
        return wordfreq.zipf_frequency(text, lang)
    except Exception:   # a language whose tokenizer needs an optional package (ja: MeCab)
        return 0.0


@functools.lru_cache(maxsize=1)
def _wordfreq_languages() -> frozenset[str]:
    import wordfreq

    return frozenset(wordfreq.available_languages("best"))


class Table(Mapping[str, str]):
    """Headword (lower case) -> its best translation, chosen on first lookup. `lang` is the translations'
    language (for word frequencies); `back` the reverse dictionary, if Debian ships one."""

    def __init__(self, entries: Entries, lang: str | None, back: Entries | None):
        self.entries, self.lang, self.back = entries, lang, back
        self._best: dict[str, str | None] = {}

    def _choose(self, head: str) -> str | None:
        if head not in self._best:
            found = self.entries.get(head)
            self._best[head] = min(found, key=lambda c: (
                c.alias, c.capital, not _confirmed(c, head, self.back), c.tagged,
                len(c.text.split()) > len(head.split()) + 2,    # a definition, not a translation
                -round(_frequency(c.text, self.lang), 1), c.position, -c.examples, c.order)).text if found else None
        return self._best[head]

    def __contains__(self, head: object) -> bool:
        return isinstance(head, str) and self._choose(head) is not None

    def __getitem__(self, head: str) -> str:
        hit = self._choose(head)
        if hit is None:
            raise KeyError(head)
        return hit

    def __iter__(self) -> Iterator[str]:
        return (h for h in self.entries.heads() if self._choose(h) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def read_table(index: str, data: str, lang: str | None = None, back: tuple[str, str] | None = None) -> Table:
    """A dictionary as a headword -> translation mapping; `back` names the reverse dictionary's files, if any."""
    return _read_table(index, data, lang, back, (file_digest(index), file_digest(data)),
                       tuple(file_digest(p) for p in back) if back else ())


@functools.lru_cache(maxsize=8)
def _read_table(index: str, data: str, lang: str | None, back: tuple[str, str] | None,
                digests: tuple[str, str], back_digests: tuple[str, ...]) -> Table:
    """The digests read_table took are passed on: each dictionary file is hashed once per lookup of the table."""
    reverse = _read_entries(*back, *back_digests) if back else None
    return Table(_read_entries(index, data, *digests), lang, reverse)
