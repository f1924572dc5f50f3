"""The language-neutral frame of one statement; every language's grammar rule renders it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from kitgen.vocabulary import VOCAB


@dataclass(frozen=True)
class Clause:
    """One statement about one subject (keys of vocabulary.json), rendered into every language."""
    subj: str
    definite: bool = True
    subj_adj: Optional[str] = None
    verb: Optional[str] = None
    obj: Optional[str] = None
    obj_adj: Optional[str] = None
    place: Optional[str] = None
    time: Optional[str] = None
    manner: Optional[str] = None
    negated: bool = False
    nobody: bool = False          # "Nobody is reading ..."
    state: Optional[str] = None   # predicate adjective: "The woman is (not) tired."
    loc: Optional[str] = None     # "outside" / "inside": "The woman is outside."


Sentence = tuple[Clause, ...]


def female(c: Clause) -> bool:
    return not c.nobody and VOCAB.persons[c.subj].gender == "f"
