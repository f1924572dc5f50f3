"""Offline word/phrase translation from bilingual dictionaries: the kit's own lexicons first (its phrases and
inflected forms), then Debian's FreeDict dictionaries where installed (read at run time, never vendored:
GPL; see advmine.translators.freedict_reader for how a sense is chosen). Longest match over lower-cased
English word n-grams, after contractions are spelled out ("he'll" -> "he will"); a word with no entry is looked
up by its WordNet lemma ("imagines" -> "imagine"), and failing that kept as it is and counted as uncovered, so
coverage per language can be reported honestly. A sentence-initial capital is kept on its translation. The
reverse direction (FreeDict X-eng: ar, de, el, es, fr, sw, tr) gives round-trip quality where no human
reference exists."""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path

from advmine.cache import file_digest
from advmine.translators.config import TranslatorConfig
from advmine.translators.freedict_reader import PARSER_VERSION, read_table
from advmine.scripts import is_word, join_words, split_words
from stilts.core.errors import StiltsError

FREEDICT_DIRS = [Path("/usr/share/dictd")]
# ISO 639-1 -> FreeDict's ISO 639-3 code (packages dict-freedict-eng-XXX); none exists for th, ur, vi, zh.
FREEDICT_CODES = {"ar": "ara", "sw": "swh", "bg": "bul", "de": "deu", "el": "ell", "fr": "fra", "hi": "hin",
                  "ru": "rus", "es": "spa", "tr": "tur", "id": "ind", "ja": "jpn", "af": "afr", "fi": "fin",
                  "hu": "hun", "it": "ita", "lt": "lit", "nl": "nld", "pl": "pol", "pt": "por"}
# English contractions, spelled out before lookup (dictionaries list "will" and "not", not "'ll" or "n't").
_CONTRACTIONS = {"n't": ["not"], "'ll": ["will"], "'re": ["are"], "'ve": ["have"], "'m": ["am"], "'d": ["would"]}
_IRREGULAR_NEG = {"can't": ["can", "not"], "won't": ["will", "not"], "shan't": ["shall", "not"],
                  "ain't": ["is", "not"]}
_SENTENCE_END = {".", "!", "?", "…"}


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


def expand_contractions(words: list[str]) -> list[str]:
    """["he'll", "don't"] -> ["he", "will", "do", "not"]; the case of the word's first letter is kept."""
    out: list[str] = []
    for w in words:
        low = w.lower().replace("’", "'")
        if low in _IRREGULAR_NEG:
            parts = list(_IRREGULAR_NEG[low])
            out += [parts[0].capitalize() if w[0].isupper() else parts[0], *parts[1:]]
            continue
        for tail, spelled in _CONTRACTIONS.items():
            if low.endswith(tail) and len(low) > len(tail):
                out += [w[:len(w) - len(tail)], *spelled]
                break
        else:
            out.append(w)
    return out


@functools.lru_cache(maxsize=1)
def _wordnet():
    """NLTK's WordNet reader from the project's data directory, or None where WordNet is not installed."""
    import os

    from advmine.nltk_data import has_wordnet, nltk_data_dir
    if not has_wordnet():
        return None
    os.environ.setdefault("NLTK_DATA", str(nltk_data_dir()))
    import nltk
    if str(nltk_data_dir()) not in nltk.data.path:
        nltk.data.path.insert(0, str(nltk_data_dir()))
    from nltk.corpus import wordnet
    return wordnet


@functools.lru_cache(maxsize=200_000)
def english_lemmas(word: str) -> tuple[str, ...]:
    """WordNet's lemmas of an English word form (verb, noun, adjective, adverb; irregular forms included)."""
    wn = _wordnet()
    if wn is None or not word.isalpha():
        return ()
    found = [wn.morphy(word, pos) for pos in ("v", "n", "a", "r")]
    return tuple(dict.fromkeys(x for x in found if x and x != word))


class DictionaryTranslator:
    name = "dictionary"
    word_level = True

    def __init__(self, cfg: TranslatorConfig):
        self.cfg = cfg

    def _freedict(self, src: str, tgt: str) -> tuple[Path, Path] | None:
        for d in FREEDICT_DIRS:
            index, data = d / f"freedict-{src}-{tgt}.index", d / f"freedict-{src}-{tgt}.dict.dz"
            if index.is_file() and data.is_file():
                return index, data
        return None

    def _found(self, tgt: str) -> list[tuple[str, tuple[Path, ...]]]:
        """(name in the model id, files) of each dictionary read for `tgt`, in lookup order (none: empty). A
        FreeDict entry lists the reverse dictionary's files too when it has one: they choose among senses."""
        from stilts.core.tasks import KIT_DIR

        found: list[tuple[str, tuple[Path, ...]]] = []
        for d in [*self.cfg.lexicon_dirs, str(KIT_DIR / "lexicon")]:
            path = Path(d) / f"en-{tgt}.tsv"
            if path.is_file():
                found.append((f"lexicon:{path.parent.name}/{path.name}", (path,)))
        code = FREEDICT_CODES.get(tgt)
        if self.cfg.freedict and code and (files := self._freedict("eng", code)):
            back = self._freedict(code, "eng")
            found.append((f"freedict-eng-{code}", (*files, *(back or ()))))
        return found

    @staticmethod
    def _table(files: tuple[Path, ...], lang: str) -> Mapping[str, str]:
        """A kit/user lexicon, or a FreeDict dictionary (index, data, then the reverse's index and data if any)
        whose translations are in `lang`."""
        if len(files) == 1:
            return read_lexicon_tsv(str(files[0]))
        back = (str(files[2]), str(files[3])) if len(files) == 4 else None
        return read_table(str(files[0]), str(files[1]), lang, back)

    @functools.lru_cache(maxsize=None)
    def _sources(self, tgt: str) -> tuple[list[Mapping[str, str]], list[str], str]:
        """The tables, their names and a hash of their files' content."""
        found = self._found(tgt)
        if not found:
            code = FREEDICT_CODES.get(tgt)
            hint = (f"apt-get install dict-freedict-eng-{code}" if code else "no FreeDict dictionary exists for it")
            raise StiltsError(f"dictionary translator: no lexicon for en-{tgt} ({hint}; or add an en-{tgt}.tsv "
                              f"under translator.lexicon_dirs)")
        tables = [self._table(files, tgt) for _, files in found]
        digest = hashlib.sha256("".join(file_digest(p) for _, files in found for p in files).encode())
        return tables, [name for name, _ in found], digest.hexdigest()

    def inputs(self, tgt: str) -> list[Path]:
        """Every dictionary file read for `tgt` (kit and user lexicons, FreeDict and its reverse)."""
        return [p for _, files in self._found(tgt) for p in files]

    def model_id(self, tgt: str) -> str:
        return "+".join(self._sources(tgt)[1])

    def cache_id(self, tgt: str) -> str:
        """The model id, the reader's version and whether lemmas are looked up, and a short hash of the
        dictionaries' content: the translation cache's id (the rows' provenance keeps the readable model id)."""
        lemmas = "+lemma" if _wordnet() is not None else ""
        return f"{self.model_id(tgt)}@{self._sources(tgt)[2][:12]}:v{PARSER_VERSION}{lemmas}"

    def offline_limit(self, tgt: str) -> str | None:
        """What the dictionaries cannot give `tgt` offline (said in the card and the quality warnings)."""
        if any(name.startswith("freedict") for name in self.model_id(tgt).split("+")):
            return None
        return (f"no FreeDict dictionary for en-{tgt}: only the kit's {sum(map(len, self._sources(tgt)[0]))}-entry "
                f"lexicon, so most words stay English; use --translator reference (human translations, where a "
                f"benchmark has them) or a neural MT model with the hub")

    def lookup(self, words: list[str], tgt: str) -> list[tuple[str, bool, int]]:
        """Greedy longest match (up to 4 words), then the lemma of a single unmatched word: (output piece,
        covered, source words consumed) per span. Public because code-switching replaces single words from the
        same lexicons the build translates with."""
        tables = self._sources(tgt)[0]
        out, i = [], 0
        lower = [w.lower() for w in words]
        while i < len(words):
            for n in range(min(4, len(words) - i), 0, -1):
                phrase = " ".join(lower[i:i + n])
                hit = next((t[phrase] for t in tables if phrase in t), None)
                if hit is None and n == 1:
                    hit = next((t[lemma] for lemma in english_lemmas(phrase) for t in tables if lemma in t), None)
                if hit is not None:
                    out.append((hit, True, n))
                    i += n
                    break
            else:
                out.append((words[i], False, 1))  # kept as is, uncovered
                i += 1
        return out

    def _words(self, text: str, src: str) -> list[str]:
        words = split_words(text, src)
        return expand_contractions(words) if src == "en" else words

    def translate(self, texts: list[str], tgt: str, src: str = "en") -> list[str]:
        out = []
        for t in texts:
            words = self._words(t, src)
            out.append(join_words(_keep_initial_capitals(words, self.lookup(words, tgt)), tgt))
        return out

    def coverage(self, texts: list[str], tgt: str) -> dict[str, int]:
        """Counted over English words (punctuation aside); a phrase hit covers every word it spans."""
        words = covered = 0
        for t in texts:
            tokens = self._words(t, "en")
            i = 0
            for _, ok, n in self.lookup(tokens, tgt):
                span = [w for w in tokens[i:i + n] if is_word(w)]
                words += len(span)
                covered += len(span) if ok else 0
                i += n
        return {"words": words, "covered": covered}

    # The reverse direction: FreeDict's X-eng dictionary, for round-trip quality.
    def _back_files(self, lang: str) -> tuple[Path, ...] | None:
        """FreeDict's lang-eng files, then (choosing among its senses) the eng-lang ones where installed."""
        code = FREEDICT_CODES.get(lang)
        back = self._freedict(code, "eng") if code and self.cfg.freedict else None
        if back is None:
            return None
        return (*back, *(self._freedict("eng", code) or ()))

    def can_translate_back(self, lang: str) -> bool:
        return self._back_files(lang) is not None

    def back_id(self, lang: str) -> str:
        return f"freedict-{FREEDICT_CODES[lang]}-eng"

    def back_cache_id(self, lang: str) -> str:
        files = self._back_files(lang) or ()
        digest = hashlib.sha256("".join(file_digest(p) for p in files).encode()).hexdigest()[:12]
        return f"{self.back_id(lang)}@{digest}:v{PARSER_VERSION}"

    def translate_back(self, texts: list[str], lang: str) -> list[str]:
        files = self._back_files(lang)
        if files is None:
            raise StiltsError(f"dictionary translator: no FreeDict {lang}-eng dictionary to translate back with")
        table = self._table(files, "en")
        out = []
        for t in texts:
            words = split_words(t, lang)
            pieces = []
            for w in words:
                hit = table.get(w.lower())
                pieces.append((hit if hit is not None else w, hit is not None, 1))
            out.append(join_words(_keep_initial_capitals(words, pieces), "en"))
        return out


def _keep_initial_capitals(words: list[str], pieces: list[tuple[str, bool, int]]) -> list[str]:
    """Each piece's text, capitalised where it starts a sentence whose first source word was capitalised (a
    dropped article passes its capital on: "An old nurse" -> "Mzee muuguzi")."""
    out, i, capital = [], 0, False
    for piece, covered, n in pieces:
        if i == 0 or words[i - 1] in _SENTENCE_END:
            capital = words[i][:1].isupper()
        if capital and piece:
            if covered and piece[:1].islower():
                piece = piece[:1].upper() + piece[1:]
            capital = False
        out.append(piece)
        i += n
    return out
