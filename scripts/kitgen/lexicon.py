"""Bilingual lexicons (English -> target) for the offline dictionary translator, and their coverage check.

Single words are cited in the form each language file's "lexicon" section names; phrases ("is reading",
"the woman", "a book") come from the grammar rules, so the lexicon always agrees with the sentences.
"""
from __future__ import annotations

import re
from pathlib import Path

from kitgen.clause import Clause
from kitgen.files import DATA_DIR, MNLI_SPLITS, XNLI_SPLITS, tsv_line, write_text
from kitgen.grammars import LEMMA_RULES, grammar
from kitgen.languages import SOURCE, TARGETS, Language, Table
from kitgen.vocabulary import VOCAB, indef_article

# lexicon targets that may be empty (the word has no counterpart in that language and is dropped)
MAY_BE_EMPTY = ("the", "a", "an", "is")
UNSPACED = ("th", "zh")  # scripts written without spaces between words
MAN = "man"  # a masculine subject gives the citation forms of agreeing words


def cite(lang: Language, citation: str, table: Table, key: str) -> str:
    """The dictionary form of one table entry, as the language's lexicon section says to cite it."""
    spec, entry = lang.citation(citation), table[key]
    if isinstance(entry, dict) and "lemma" in entry:
        return spec.prefix + entry["lemma"] + spec.suffix
    if isinstance(entry, str):
        text = entry
    else:
        found = [entry[f] for f in spec.forms if entry.get(f)]
        if not found:
            raise SystemExit(f"{lang.code}: {citation} entry {key!r} gives none of the forms {list(spec.forms)}")
        text = found[0]
    if spec.rule is not None:
        text = LEMMA_RULES[spec.rule](text)
    return spec.prefix + text + spec.suffix


def build_lexicon(code: str) -> dict[str, str]:
    """English word or phrase -> target, for every word and phrase the templates use."""
    lang, rule = grammar(code)
    source, source_rule = grammar(SOURCE)
    out: dict[str, str] = {}

    def add(english: str, target: str) -> None:
        out.setdefault(english, target)

    def predicate(c: Clause) -> str:  # the clause without its subject: "is reading", "is not tall"
        return rule.clause(lang, c)[len(rule.subject(lang, c)):].removeprefix(" ")

    for person in VOCAB.persons:
        add(person, cite(lang, "persons", lang.persons, person))
        add(f"the {person}", rule.subject(lang, Clause(subj=person)))
        add(f"{indef_article(person)} {person}", rule.subject(lang, Clause(subj=person, definite=False)))
    for adj in VOCAB.subject_adjectives:
        add(adj, cite(lang, "subject_adjectives", lang.subject_adjectives, adj))
        add(f"is {adj}", predicate(Clause(subj=MAN, state=adj)))
        add(f"is not {adj}", predicate(Clause(subj=MAN, state=adj, negated=True)))
    for obj, spec in VOCAB.objects.items():
        add(obj, cite(lang, "objects", lang.objects, obj))
        if spec.article:
            add(source_rule.object(source, Clause(subj=MAN, obj=obj)),
                rule.object(lang, Clause(subj=MAN, verb="reading", obj=obj)))
    for adj in VOCAB.object_adjectives:
        add(adj, cite(lang, "object_adjectives", lang.object_adjectives, adj))
    for verb in VOCAB.verbs:
        add(verb, cite(lang, "verbs", lang.verbs, verb))
        add(f"is {verb}", predicate(Clause(subj=MAN, verb=verb)))
        add(f"is not {verb}", predicate(Clause(subj=MAN, verb=verb, negated=True)))
    for place in lang.places:
        add(VOCAB.places[place].phrase, cite(lang, "place_phrases", lang.places, place))
        add(place, cite(lang, "place_nouns", lang.places, place))
    for time in lang.times:
        add(time, cite(lang, "times", lang.times, time))
    for manner in VOCAB.manners:
        add(manner, cite(lang, "manners", lang.manners, manner))
    for loc in lang.locations:
        add(f"is {loc}", cite(lang, "location_phrases", lang.locations, loc))
        add(loc, cite(lang, "location_words", lang.locations, loc))
    for word in lang.words:
        add(word, cite(lang, "words", lang.words, word))
    return dict(sorted(out.items()))


def write_lexicon(path: Path, code: str) -> None:
    entries = build_lexicon(code)
    for english, target in entries.items():
        if not target and english not in MAY_BE_EMPTY:
            raise ValueError(f"empty {code} target for {english!r}")
        if code in UNSPACED and " " in target:
            raise ValueError(f"space inside a {code} target: {english!r} -> {target!r}")
    write_text(path, [tsv_line(["source", "target"])] + [tsv_line([e, t]) for e, t in entries.items()])


def english_tokens(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def kit_english_texts(data_dir: Path = DATA_DIR) -> list[str]:
    """Every English sentence in the kit files on disk."""
    texts: list[str] = []
    for split in MNLI_SPLITS:
        lines = (data_dir / "mnli" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()[1:]
        texts += [t for line in lines for t in line.split("\t")[8:10]]
    for split in XNLI_SPLITS:
        lines = (data_dir / "xnli" / f"{split}-{SOURCE}.tsv").read_text(encoding="utf-8").splitlines()
        texts += [t for line in lines for t in line.split("\t")[:2]]
    return texts


def read_lexicon(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines[0] != "source\ttarget":
        raise ValueError(f"{path}: bad header {lines[0]!r}")
    return dict(line.split("\t") for line in lines[1:])


def check_lexicon_coverage(data_dir: Path = DATA_DIR) -> None:
    """Fail loudly unless every English token in the kit has an entry in each target-language lexicon."""
    tokens = sorted({tok for text in kit_english_texts(data_dir) for tok in english_tokens(text)})
    problems = []
    for code in TARGETS:
        lexicon = read_lexicon(data_dir / "lexicon" / f"en-{code}.tsv")
        missing = [t for t in tokens if t not in lexicon]
        if missing:
            problems.append(f"en-{code}: no entry for {missing}")
    if problems:
        raise SystemExit("lexicon coverage check failed:\n  " + "\n  ".join(problems))
    print(f"lexicon coverage: all {len(tokens)} English word types in the kit are in all "
          f"{len(TARGETS)} lexicons")
