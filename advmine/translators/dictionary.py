"""Offline word/phrase translation from bilingual dictionaries: the kit's own lexicons first (its phrases and
inflected forms), then Debian's FreeDict dictionaries where installed (read at run time, never vendored:
GPL). Longest match over lower-cased English word n-grams; words with no entry are kept as they are and
counted as uncovered, so coverage per language can be reported honestly."""
from __future__ import annotations

import functools
import gzip
import hashlib
import re
from pathlib import Path

from advmine.cache import file_digest
from advmine.translators.config import TranslatorConfig
from advmine.scripts import is_word, join_words, split_words
from stilts.core.errors import StiltsError

FREEDICT_DIRS = [Path("/usr/share/dictd")]
# ISO 639-1 -> FreeDict's ISO 639-3 code (packages dict-freedict-eng-XXX); none exists for th, ur, vi, zh.
FREEDICT_CODES = {"ar": "ara", "sw": "swh", "bg": "bul", "de": "deu", "el": "ell", "fr": "fra", "hi": "hin",
                  "ru": "rus", "es": "spa", "tr": "tur", "id": "ind", "ja": "jpn", "af": "afr", "fi": "fin",
                  "hu": "hun", "it": "ita", "lt": "lit", "nl": "nld", "pl": "pol", "pt": "por"}
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _dictd_number(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


def read_lexicon_tsv(path: str) -> dict[str, str]:
    """A `source<TAB>target` file with a header; an empty target means 'drop this word' (articles). Parsed once
    per content, so an edited file is read afresh in the same process."""
    return _read_lexicon_tsv(path, file_digest(path))


@functools.lru_cache(maxsize=None)
def _read_lexicon_tsv(path: str, digest: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if n == 1 or not line.strip():
                continue
            src, sep, tgt = line.rstrip("\n").partition("\t")
            if not sep:
                raise StiltsError(f"{path}:{n}: a lexicon line is 'english<TAB>target'")
            entries.setdefault(src.strip().lower(), tgt.strip())
    return entries


def read_freedict(index: str, data: str) -> dict[str, str]:
    """First sense of each headword of a dictd dictionary (`.index` + gzip `.dict.dz`), once per content."""
    return _read_freedict(index, data, file_digest(index), file_digest(data))


@functools.lru_cache(maxsize=None)
def _read_freedict(index: str, data: str, index_digest: str, data_digest: str) -> dict[str, str]:
    with gzip.open(data, "rb") as f:
        blob = f.read()
    entries: dict[str, str] = {}
    with open(index, encoding="utf-8") as f:
        for line in f:
            head, off, size = line.rstrip("\n").split("\t")
            if head.startswith("00database") or head.lower() in entries:
                continue
            body = blob[_dictd_number(off):_dictd_number(off) + _dictd_number(size)].decode("utf-8", "replace")
            sense = _first_sense(body.split("\n")[1:])
            if sense:
                entries[head.lower()] = sense
    return entries


def _first_sense(lines: list[str]) -> str | None:
    for line in lines:
        line = re.sub(r"^\s*\d+\.\s*", "", line).strip()
        if not line or line.startswith("<") or line.startswith("Note"):
            continue
        return re.split(r"\s+-\s+|[,;]", line)[0].strip() or None
    return None


class DictionaryTranslator:
    name = "dictionary"
    word_level = True

    def __init__(self, cfg: TranslatorConfig):
        self.cfg = cfg

    def _found(self, tgt: str) -> list[tuple[str, tuple[Path, ...]]]:
        """(name in the model id, files) of each dictionary read for `tgt`, in lookup order (none: empty)."""
        from stilts.core.tasks import KIT_DIR

        found: list[tuple[str, tuple[Path, ...]]] = []
        for d in [*self.cfg.lexicon_dirs, str(KIT_DIR / "lexicon")]:
            path = Path(d) / f"en-{tgt}.tsv"
            if path.is_file():
                found.append((f"lexicon:{path.parent.name}/{path.name}", (path,)))
        code = FREEDICT_CODES.get(tgt)
        if self.cfg.freedict and code:
            for d in FREEDICT_DIRS:
                index, data = d / f"freedict-eng-{code}.index", d / f"freedict-eng-{code}.dict.dz"
                if index.is_file() and data.is_file():
                    found.append((f"freedict-eng-{code}", (index, data)))
                    break
        return found

    @functools.lru_cache(maxsize=None)
    def _sources(self, tgt: str) -> tuple[list[dict[str, str]], list[str], str]:
        """The tables, their names and a hash of their files' content."""
        found = self._found(tgt)
        if not found:
            code = FREEDICT_CODES.get(tgt)
            hint = (f"apt-get install dict-freedict-eng-{code}" if code else "no FreeDict dictionary exists for it")
            raise StiltsError(f"dictionary translator: no lexicon for en-{tgt} ({hint}; or add an en-{tgt}.tsv "
                              f"under translator.lexicon_dirs)")
        tables = [read_lexicon_tsv(str(files[0])) if len(files) == 1 else read_freedict(*map(str, files))
                  for _, files in found]
        digest = hashlib.sha256("".join(file_digest(p) for _, files in found for p in files).encode())
        return tables, [name for name, _ in found], digest.hexdigest()

    def inputs(self, tgt: str) -> list[Path]:
        """Every dictionary file read for `tgt` (kit and user lexicons, FreeDict)."""
        return [p for _, files in self._found(tgt) for p in files]

    def model_id(self, tgt: str) -> str:
        return "+".join(self._sources(tgt)[1])

    def cache_id(self, tgt: str) -> str:
        """The model id plus a short hash of the dictionaries' content: the translation cache's id."""
        return f"{self.model_id(tgt)}@{self._sources(tgt)[2][:12]}"

    def lookup(self, words: list[str], tgt: str) -> list[tuple[str, bool, int]]:
        """Greedy longest match (up to 4 words): (output piece, covered, source words consumed) per span.
        Public because code-switching replaces single words from the same lexicons the build translates with."""
        tables = self._sources(tgt)[0]
        out, i = [], 0
        lower = [w.lower() for w in words]
        while i < len(words):
            for n in range(min(4, len(words) - i), 0, -1):
                phrase = " ".join(lower[i:i + n])
                hit = next((t[phrase] for t in tables if phrase in t), None)
                if hit is not None:
                    out.append((hit, True, n))
                    i += n
                    break
            else:
                out.append((words[i], False, 1))  # kept as is, uncovered
                i += 1
        return out

    def translate(self, texts: list[str], tgt: str, src: str = "en") -> list[str]:
        return [join_words([p for p, _, _ in self.lookup(split_words(t, src), tgt)], tgt) for t in texts]

    def coverage(self, texts: list[str], tgt: str) -> dict[str, int]:
        """Counted over English words (punctuation aside); a phrase hit covers every word it spans."""
        words = covered = 0
        for t in texts:
            tokens = split_words(t, "en")
            i = 0
            for _, ok, n in self.lookup(tokens, tgt):
                span = [w for w in tokens[i:i + n] if is_word(w)]
                words += len(span)
                covered += len(span) if ok else 0
                i += n
        return {"words": words, "covered": covered}
