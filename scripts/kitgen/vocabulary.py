"""The language-neutral vocabulary (vocabulary.json): what may combine with what, keyed by English words.

Kept as data so that the combination rules read as tables; the functions below are the only questions the
frame builder asks of them. Dictionary order is significant: the generator draws from it with fixed seeds.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

VOCABULARY_FILE = Path(__file__).resolve().parent / "vocabulary.json"


@dataclass(frozen=True)
class Person:
    gender: str                   # "m" / "f": the grammatical gender used in Arabic, Russian and Hindi
    roles: tuple[str, ...] = ()   # roles a neutral hypothesis may name instead
    in_premises: bool = True      # False: only a generalisation ("A person is ...")


@dataclass(frozen=True)
class SubjectAdjective:
    antonym: Optional[str] = None
    not_with_subjects: tuple[str, ...] = ()
    not_with_verbs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    phrase: str                # the English phrase
    outdoor: Optional[bool]    # None: could be either, so no inside/outside hypotheses


@dataclass(frozen=True)
class Obj:
    article: str                               # "a", "the" or "" (mass nouns, plurals)
    adjectives: tuple[str, ...] = ()           # object adjectives that fit it
    places: Optional[tuple[str, ...]] = None   # where it can be handled (None: wherever the verb can)


@dataclass(frozen=True)
class Verb:
    objects: tuple[str, ...]
    alone: bool                      # may stand without an object
    group: str                       # "sleep", "sport", "still" or "other": which activities exclude others
    places: tuple[str, ...]
    object_adjectives: bool = True   # False: "writing a red book" makes no sense
    while_asleep: bool = False
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manner:
    verbs: tuple[str, ...]
    opposite: Optional[str] = None


@dataclass(frozen=True)
class Vocabulary:
    genres: tuple[str, ...]
    persons: dict[str, Person]
    subject_adjectives: dict[str, SubjectAdjective]
    neutral_states: tuple[str, ...]
    places: dict[str, Place]
    compatible_places: tuple[frozenset[str], ...]
    objects: dict[str, Obj]
    object_adjectives: tuple[str, ...]
    verbs: dict[str, Verb]
    times: dict[str, str]       # time phrase -> "day" / "dark"
    manners: dict[str, Manner]

    @property
    def premise_subjects(self) -> list[str]:
        return [name for name, p in self.persons.items() if p.in_premises]


def _tuples(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    raw = json.loads(path.read_text(encoding="utf-8"))
    verbs = {name: Verb(**_tuples(v)) for name, v in raw["verbs"].items()}
    manners = {}
    for name, m in raw["manners"].items():
        fits = m.get("verbs") or [v for v in verbs if v not in m["all_verbs_except"]]
        manners[name] = Manner(tuple(fits), m.get("opposite"))
    return Vocabulary(
        genres=tuple(raw["genres"]),
        persons={k: Person(**_tuples(v)) for k, v in raw["persons"].items()},
        subject_adjectives={k: SubjectAdjective(**_tuples(v)) for k, v in raw["subject_adjectives"].items()},
        neutral_states=tuple(raw["neutral_states"]),
        places={k: Place(**v) for k, v in raw["places"].items()},
        compatible_places=tuple(frozenset(pair) for pair in raw["compatible_places"]),
        objects={k: Obj(**_tuples(v)) for k, v in raw["objects"].items()},
        object_adjectives=tuple(raw["object_adjectives"]),
        verbs=verbs, times=dict(raw["times"]), manners=manners)


VOCAB = load_vocabulary()


def indef_article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def allowed_places(verb: str, obj: Optional[str]) -> list[str]:
    spec = VOCAB.objects[obj].places if obj else None
    return [p for p in VOCAB.verbs[verb].places if spec is None or p in spec]


def subj_adj_ok(adj: str, subj: str, verb: Optional[str]) -> bool:
    spec = VOCAB.subject_adjectives[adj]
    return subj not in spec.not_with_subjects and verb not in spec.not_with_verbs


def obj_adjs(verb: str, obj: Optional[str]) -> tuple[str, ...]:
    return () if obj is None or not VOCAB.verbs[verb].object_adjectives else VOCAB.objects[obj].adjectives


def manner_ok(manner: str, verb: str) -> bool:
    return verb in VOCAB.manners[manner].verbs


def incompatible(a: str, b: str) -> bool:
    """Whether one person cannot be doing activities a and b at the same time."""
    if a == b:
        return False
    va, vb = VOCAB.verbs[a], VOCAB.verbs[b]
    if "sleep" in (va.group, vb.group):
        return not va.while_asleep and not vb.while_asleep
    if "sport" in (va.group, vb.group) and {va.group, vb.group} <= {"sport", "still"}:
        return True
    return b in va.excludes or a in vb.excludes
