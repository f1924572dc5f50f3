"""Grammar rules: the code part of each kit language, registered by name and named by its data file.

Word order and morphology (agreement, negation, aspect) are code; every word comes from the language's
data file, asked for by table and form name. A rule is three functions over a `Clause`: its subject, its
object phrase and the whole clause. Lemma rules turn a table form into a dictionary form for the lexicon.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from kitgen.clause import Clause, Sentence, female
from kitgen.languages import LANGUAGES, Language, Table, form, optional_form, plain
from kitgen.vocabulary import VOCAB, indef_article

Render = Callable[[Language, Clause], str]


@dataclass(frozen=True)
class Grammar:
    subject: Render
    object: Render
    clause: Render


def verb_stem(lang: Language, c: Clause) -> str:
    """The verb's form with an object, or its form without one where the language has one."""
    entry = lang.verb_entry(c.verb, c.obj)
    with_object = form(entry, "with_object")
    return with_object if c.obj else optional_form(entry, "alone") or with_object


def gender(c: Clause) -> str:
    return "f" if female(c) else "m"


def predicate(lang: Language, c: Clause) -> str:
    """A state adjective said of the subject, in the languages that give it whole (predicate / negated)."""
    return form(lang.subject_adjectives[c.state], "negated" if c.negated else "predicate")


def optional(table: Table, key: Optional[str], name: str = "") -> str:
    """A word of an optional slot (adjective, time, manner, place): empty where the clause has none."""
    if key is None:
        return ""
    entry = table[key]
    return form(entry, name) if name else plain(entry)


def words(*parts: str) -> str:
    return " ".join(p for p in parts if p)


# ---- English ----------------------------------------------------------------------------------------------

def en_subject(lang: Language, c: Clause) -> str:
    if c.nobody:
        return lang.particles["nobody"]
    names = ([c.subj_adj] if c.subj_adj else []) + [c.subj]
    return (lang.particles["definite"] if c.definite else indef_article(names[0])) + " " + " ".join(names)


def en_object(lang: Language, c: Clause) -> str:
    article = VOCAB.objects[c.obj].article
    names = ([c.obj_adj] if c.obj_adj else []) + [c.obj]
    if article in ("a", "an"):
        names.insert(0, indef_article(names[0]))
    elif article == "the":
        names.insert(0, lang.particles["definite"])
    return " ".join(names)


def en_clause(lang: Language, c: Clause) -> str:
    subj, is_, not_ = en_subject(lang, c), lang.particles["copula"], lang.particles["not"]
    if c.state:
        return f"{subj} {is_} {not_ + ' ' if c.negated else ''}{c.state}"
    if c.loc:
        return f"{subj} {is_} {c.loc}"
    place = VOCAB.places[c.place].phrase if c.place else ""
    obj = en_object(lang, c) if c.obj else ""
    return words(subj, f"{is_} {not_}" if c.negated else is_, c.verb, obj, place, c.time or "", c.manner or "")


# ---- Swahili ----------------------------------------------------------------------------------------------

def sw_subject(lang: Language, c: Clause) -> str:
    if c.nobody:
        return lang.particles["nobody"]
    return words(plain(lang.persons[c.subj]), optional(lang.subject_adjectives, c.subj_adj, "attributive"))


def sw_object(lang: Language, c: Clause) -> str:
    entry = lang.objects[c.obj]
    return words(form(entry, "noun"), optional(lang.object_adjectives, c.obj_adj, form(entry, "concord")))


def sw_verb(lang: Language, c: Clause) -> str:
    entry = lang.verb_entry(c.verb, c.obj)
    if c.nobody:  # relative form: "hakuna mtu anayesoma"
        return "anaye" + form(entry, "positive")[3:]
    return form(entry, "negative" if c.negated else "positive")


def sw_clause(lang: Language, c: Clause) -> str:
    subj = sw_subject(lang, c)
    if c.state:
        return f"{subj} {predicate(lang, c)}"
    if c.loc:
        return f"{subj} {form(lang.locations[c.loc], 'phrase')}"
    return words(subj, sw_verb(lang, c), sw_object(lang, c) if c.obj else "",
                 optional(lang.places, c.place, "phrase"), optional(lang.times, c.time),
                 optional(lang.manners, c.manner))


# ---- Thai -------------------------------------------------------------------------------------------------

def th_subject(lang: Language, c: Clause) -> str:
    if c.nobody:
        return lang.particles["nobody"]
    adj = optional(lang.subject_adjectives, c.subj_adj, "attributive")
    return plain(lang.persons[c.subj]) + adj + ("" if c.definite else lang.particles["indefinite"])


def th_object(lang: Language, c: Clause) -> str:
    return plain(lang.objects[c.obj]) + optional(lang.object_adjectives, c.obj_adj)


def th_clause(lang: Language, c: Clause) -> str:
    subj = th_subject(lang, c)
    if c.state:
        return subj + predicate(lang, c)
    if c.loc:
        return subj + form(lang.locations[c.loc], "phrase")
    aux = "" if c.nobody else lang.particles["not" if c.negated else "progressive"]
    return "".join([subj, aux + verb_stem(lang, c), th_object(lang, c) if c.obj else "",
                    optional(lang.places, c.place, "phrase"), optional(lang.times, c.time),
                    optional(lang.manners, c.manner)])


# ---- Arabic -----------------------------------------------------------------------------------------------

def ar_subject(lang: Language, c: Clause) -> str:
    if c.nobody:
        return lang.particles["nobody"]
    person = lang.persons[c.subj]
    indef, definite = form(person, "indefinite"), form(person, "definite")
    if not c.subj_adj:
        return definite if c.definite else indef
    adj = form(lang.subject_adjectives[c.subj_adj], gender(c))
    return f"{definite} ال{adj}" if c.definite else f"{indef} {adj}"


def ar_object(lang: Language, c: Clause) -> str:
    entry = lang.objects[c.obj]
    return words(form(entry, "object"), optional(lang.object_adjectives, c.obj_adj, form(entry, "gender")))


def ar_verb(lang: Language, c: Clause) -> str:
    verb = plain(lang.verb_entry(c.verb, c.obj))
    if female(c):  # the feminine imperfect swaps the prefix ي for ت
        verb = "ت" + verb[1:]
    return f"{lang.particles['not']} {verb}" if c.negated else verb


def ar_state(lang: Language, c: Clause) -> str:
    adj = form(lang.subject_adjectives[c.state], gender(c))
    if not c.negated:
        return adj
    if female(c):
        return f"{lang.particles['is_not_f']} {adj}"
    return f"{lang.particles['is_not_m']} {adj}اً"  # the predicate of ليس takes the accusative


def ar_clause(lang: Language, c: Clause) -> str:
    subj = ar_subject(lang, c)
    if c.state:
        return f"{subj} {ar_state(lang, c)}"
    if c.loc:
        return f"{subj} {form(lang.locations[c.loc], 'phrase')}"
    verb = ar_verb(lang, c)
    head = f"{verb} {subj}" if not (c.definite or c.nobody) else f"{subj} {verb}"  # indefinite: VSO
    return words(head, ar_object(lang, c) if c.obj else "", optional(lang.places, c.place, "phrase"),
                 optional(lang.times, c.time), optional(lang.manners, c.manner, gender(c)))


# ---- Russian ----------------------------------------------------------------------------------------------

def ru_subject(lang: Language, c: Clause) -> str:
    if c.nobody:
        return lang.particles["nobody"]
    return words(optional(lang.subject_adjectives, c.subj_adj, gender(c)), plain(lang.persons[c.subj]))


def ru_object(lang: Language, c: Clause) -> str:
    entry = lang.objects[c.obj]
    return words(optional(lang.object_adjectives, c.obj_adj, form(entry, "gender")), form(entry, "accusative"))


def ru_clause(lang: Language, c: Clause) -> str:
    subj, not_ = ru_subject(lang, c), lang.particles["not"]
    if c.state:
        adj = form(lang.subject_adjectives[c.state], "predicate_" + gender(c))
        return words(subj, not_ if c.negated else "", adj)
    if c.loc:
        return f"{subj} {form(lang.locations[c.loc], 'phrase')}"
    verb = plain(lang.verb_entry(c.verb, c.obj))
    return words(subj, not_ if c.negated or c.nobody else "", verb, ru_object(lang, c) if c.obj else "",
                 optional(lang.places, c.place, "phrase"), optional(lang.times, c.time),
                 optional(lang.manners, c.manner, gender(c)))


# ---- Chinese ----------------------------------------------------------------------------------------------

def zh_subject(lang: Language, c: Clause) -> str:
    if c.nobody:
        return lang.particles["nobody"]
    adj = optional(lang.subject_adjectives, c.subj_adj, "attributive")
    return ("" if c.definite else lang.particles["indefinite"]) + adj + plain(lang.persons[c.subj])


def zh_object(lang: Language, c: Clause) -> str:
    entry = lang.objects[c.obj]
    classifier = optional_form(entry, "classifier")
    counted = classifier and VOCAB.objects[c.obj].article != "the" and not (c.negated or c.nobody)
    return (lang.particles["one"] + classifier if counted else "") + optional(lang.object_adjectives, c.obj_adj) \
        + form(entry, "noun")


def zh_clause(lang: Language, c: Clause) -> str:
    subj, p = zh_subject(lang, c), lang.particles
    if c.state:
        return subj + predicate(lang, c)
    if c.loc:
        return subj + form(lang.locations[c.loc], "phrase")
    time = optional(lang.times, c.time)
    head = time + subj if c.nobody else subj + time
    manner = optional(lang.manners, c.manner, "phrase")
    late = c.manner is not None and form(lang.manners[c.manner], "position") == "verb"
    pre, before_verb = ("", manner) if late else (manner, "")
    verb = verb_stem(lang, c) + (zh_object(lang, c) if c.obj else "")
    if c.place:
        neg = p["not"] if c.negated else ""
        return head + pre + neg + p["at"] + form(lang.places[c.place], "phrase") + before_verb + verb
    aux = p["at"] if c.nobody else (p["not"] + p["at"] if c.negated else p["progressive"])
    return head + aux + pre + before_verb + verb


# ---- Hindi ------------------------------------------------------------------------------------------------

def hi_subject(lang: Language, c: Clause) -> str:
    if c.nobody:
        return lang.particles["nobody"]
    return words("" if c.definite else lang.particles["one"],
                 optional(lang.subject_adjectives, c.subj_adj, gender(c)), plain(lang.persons[c.subj]))


def hi_object(lang: Language, c: Clause) -> str:
    entry = lang.objects[c.obj]
    counted = VOCAB.objects[c.obj].article in ("a", "an") and not (c.negated or c.nobody)
    return words(lang.particles["one"] if counted else "",
                 optional(lang.object_adjectives, c.obj_adj, form(entry, "gender")), form(entry, "noun"))


def hi_verb(lang: Language, c: Clause) -> str:
    p, stem = lang.particles, verb_stem(lang, c)
    aux = f"{p['progressive_' + gender(c)]} {p['copula']}"
    if not (c.negated or c.nobody):
        return f"{stem} {aux}"
    whole = optional_form(lang.verbs[c.verb], "negation") == "before_stem"
    if " " in stem and not whole:  # noun + light verb: "आराम नहीं कर रहा है", "खाना नहीं खा रहा है"
        noun, light_verb = stem.rsplit(" ", 1)
        return f"{noun} {p['not']} {light_verb} {aux}"
    return f"{p['not']} {stem} {aux}"


def hi_clause(lang: Language, c: Clause) -> str:
    subj, p = hi_subject(lang, c), lang.particles
    if c.state:
        adj = form(lang.subject_adjectives[c.state], gender(c))
        return words(subj, adj, p["not"] if c.negated else "", p["copula"])
    if c.loc:
        return f"{subj} {form(lang.locations[c.loc], 'phrase')}"
    return words(subj, optional(lang.times, c.time), optional(lang.places, c.place, "phrase"),
                 optional(lang.manners, c.manner), hi_object(lang, c) if c.obj else "", hi_verb(lang, c))


GRAMMARS: dict[str, Grammar] = {
    "en": Grammar(en_subject, en_object, en_clause),
    "sw": Grammar(sw_subject, sw_object, sw_clause),
    "th": Grammar(th_subject, th_object, th_clause),
    "ar": Grammar(ar_subject, ar_object, ar_clause),
    "ru": Grammar(ru_subject, ru_object, ru_clause),
    "zh": Grammar(zh_subject, zh_object, zh_clause),
    "hi": Grammar(hi_subject, hi_object, hi_clause),
}


def arabic_lemma(text: str) -> str:
    """Dictionary form of an object-position word: no article ال, no accusative tanween."""
    text = text[2:] if text.startswith("ال") else text
    return text[:-2] if text.endswith("اً") else text.rstrip("ً")


LEMMA_RULES: dict[str, Callable[[str], str]] = {"arabic_lemma": arabic_lemma}



def grammar(code: str) -> tuple[Language, Grammar]:
    """A language with its rule; a data file naming an unknown rule fails here, with the known ones."""
    lang = LANGUAGES[code]
    if lang.grammar not in GRAMMARS:
        raise SystemExit(f"language {code}: unknown grammar rule {lang.grammar!r} (known: {sorted(GRAMMARS)})")
    return lang, GRAMMARS[lang.grammar]


def render(code: str, sentence: Sentence) -> str:
    lang, rule = grammar(code)
    text = lang.joiner.join(rule.clause(lang, c) for c in sentence)
    if lang.capitalised:
        text = text[0].upper() + text[1:]
    return text + lang.ending
