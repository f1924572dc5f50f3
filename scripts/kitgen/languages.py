"""Kit languages: one data file each under languages/, read into a `Language` with named tables.

A table maps a vocabulary key to a string (the same in every form) or to named forms ({"m": ..., "f": ...}),
so grammar rules ask for forms by name instead of by position. Adding a language means adding one file here
(and, where its word order or morphology is new, one grammar rule in grammars.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from kitgen.vocabulary import VOCAB

LANGUAGES_DIR = Path(__file__).resolve().parent / "languages"
SOURCE = "en"  # the language of vocabulary.json's keys: it has no tables and no lexicon
Entry = Union[str, dict[str, str]]
Table = dict[str, Entry]


def form(entry: Entry, name: str) -> str:
    """One named form of an entry; a plain string is the same in every form."""
    return entry if isinstance(entry, str) else entry[name]


def plain(entry: Entry) -> str:
    """An entry that has a single form (a plain string in the data file)."""
    if not isinstance(entry, str):
        raise SystemExit(f"expected a single form, got named forms {entry}")
    return entry


def optional_form(entry: Entry, name: str) -> Optional[str]:
    """A form only some entries give (e.g. a verb's form without an object); None where it is absent."""
    return None if isinstance(entry, str) else entry.get(name)


@dataclass(frozen=True)
class Citation:
    """How the lexicon cites a table's entries: the first of `forms` an entry gives (an entry's own "lemma"
    wins), passed through a named lemma rule, between a prefix and a suffix."""
    forms: tuple[str, ...] = ()
    rule: Optional[str] = None
    prefix: str = ""
    suffix: str = ""


# the lexicon's citation of place and location entries unless a language says otherwise
DEFAULT_CITATIONS = {"place_phrases": Citation(("phrase",)), "place_nouns": Citation(("noun",)),
                     "location_phrases": Citation(("phrase",)), "location_words": Citation(("word",))}


@dataclass(frozen=True)
class Language:
    code: str
    order: int            # position in the kit's language list
    script: str
    grammar: str          # name of the grammar rule in grammars.GRAMMARS
    joiner: str           # joins the two clauses of a premise
    ending: str           # sentence-final punctuation
    capitalised: bool
    particles: dict[str, str] = field(default_factory=dict)   # grammar words the rule uses, by role
    persons: Table = field(default_factory=dict)
    subject_adjectives: Table = field(default_factory=dict)
    objects: Table = field(default_factory=dict)
    object_adjectives: Table = field(default_factory=dict)
    verbs: Table = field(default_factory=dict)
    verb_overrides: dict[str, Table] = field(default_factory=dict)   # verb -> object -> entry
    places: Table = field(default_factory=dict)       # {"phrase": ..., "noun": ...}
    times: Table = field(default_factory=dict)
    manners: Table = field(default_factory=dict)
    locations: Table = field(default_factory=dict)    # "outside" / "inside" -> {"phrase": ..., "word": ...}
    words: Table = field(default_factory=dict)        # single English words of the lexicon
    lexicon: dict[str, Citation] = field(default_factory=dict)

    def verb_entry(self, verb: str, obj: Optional[str]) -> Entry:
        """The verb's entry, or the (verb, object) override (e.g. Swahili "washing clothes" is -fua)."""
        return self.verb_overrides.get(verb, {}).get(obj or "") or self.verbs[verb]

    def citation(self, table: str) -> Citation:
        return self.lexicon.get(table) or DEFAULT_CITATIONS.get(table) or Citation()


def _citation(spec: Union[str, list, dict]) -> Citation:
    if isinstance(spec, str):
        return Citation((spec,))
    if isinstance(spec, list):
        return Citation(tuple(spec))
    forms = spec.get("form", ())
    return Citation((forms,) if isinstance(forms, str) else tuple(forms), spec.get("rule"),
                    spec.get("prefix", ""), spec.get("suffix", ""))


# vocabulary tables every target language must translate, and the keys they must cover
REQUIRED = {
    "persons": tuple(VOCAB.persons), "subject_adjectives": tuple(VOCAB.subject_adjectives),
    "objects": tuple(VOCAB.objects), "object_adjectives": VOCAB.object_adjectives, "verbs": tuple(VOCAB.verbs),
    "places": tuple(VOCAB.places), "times": tuple(VOCAB.times), "manners": tuple(VOCAB.manners),
    "locations": ("outside", "inside"),
}


def load_language(path: Path) -> Language:
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw.pop("about", None)
    sentence = raw.pop("sentence")
    lexicon = {table: _citation(spec) for table, spec in raw.pop("lexicon", {}).items()}
    try:
        lang = Language(code=path.stem, joiner=sentence["joiner"], ending=sentence["ending"],
                        capitalised=sentence["capitalised"], lexicon=lexicon, **raw)
    except (TypeError, KeyError) as e:
        raise SystemExit(f"{path}: {e}") from None
    if lang.code != SOURCE:
        for table, keys in REQUIRED.items():
            missing = [k for k in keys if k not in getattr(lang, table)]
            if missing:
                raise SystemExit(f"{path}: {table} has no entry for {missing}")
    return lang


def load_languages(directory: Path = LANGUAGES_DIR) -> dict[str, Language]:
    """Every language file, in the kit's order (each file's "order")."""
    langs = sorted((load_language(p) for p in sorted(directory.glob("*.json"))), key=lambda lang: lang.order)
    orders = [lang.order for lang in langs]
    if len(set(orders)) != len(orders):
        raise SystemExit(f"{directory}: two language files share an order: {orders}")
    return {lang.code: lang for lang in langs}


LANGUAGES = load_languages()
TARGETS = tuple(code for code in LANGUAGES if code != SOURCE)
