"""Premises and hypotheses as language-neutral frames; labels follow from how each hypothesis is built.

* entailment: the hypothesis drops a modifier, generalises (a person / something / outside), states an
  adjective the premise already gives, or negates an incompatible activity;
* neutral: the hypothesis adds information the premise does not give (a place, a time, a manner, an
  object, an adjective, a role or a state);
* contradiction: the hypothesis changes the activity, object, place, time or manner to an incompatible
  one, negates the premise, uses an antonym, or says nobody does it.
"""
from __future__ import annotations

import random
from dataclasses import replace
from typing import Callable, NamedTuple, Optional

from kitgen.clause import Clause, Sentence
from kitgen.grammars import render
from kitgen.vocabulary import VOCAB, allowed_places, incompatible, manner_ok, obj_adjs, subj_adj_ok

LABELS = ("entailment", "neutral", "contradiction")


def droppable(c: Clause) -> list[str]:
    """Modifiers a hypothesis may leave out (the object only where the verb can stand alone)."""
    fields = [f for f in ("subj_adj", "obj_adj", "place", "time", "manner") if getattr(c, f) is not None]
    if c.obj is not None and VOCAB.verbs[c.verb].alone:
        fields.append("obj")
    return fields


def drop(c: Clause, fields: list[str]) -> Clause:
    changes = {f: None for f in fields}
    if "obj" in fields:
        changes["obj_adj"] = None
    return replace(c, **changes)


def random_drop(rng: random.Random, c: Clause, p: float, keep: tuple[str, ...] = ()) -> Clause:
    return drop(c, [f for f in droppable(c) if f not in keep and rng.random() < p])


def make_clause(rng: random.Random, exclude_subj: tuple[str, ...] = (), exclude_verb: tuple[str, ...] = (),
                richness: float = 1.0) -> Clause:
    subj = rng.choice([s for s in VOCAB.premise_subjects if s not in exclude_subj])
    verb = rng.choice([v for v in VOCAB.verbs if v not in exclude_verb])
    spec = VOCAB.verbs[verb]
    obj = rng.choice(spec.objects) if spec.objects and (not spec.alone or rng.random() < 0.7) else None
    adjs = obj_adjs(verb, obj)
    obj_adj = rng.choice(adjs) if adjs and rng.random() < 0.35 * richness else None
    subj_adjs = [a for a in VOCAB.subject_adjectives if subj_adj_ok(a, subj, verb)]
    subj_adj = rng.choice(subj_adjs) if rng.random() < 0.5 * richness else None
    places = allowed_places(verb, obj)
    place = rng.choice(places) if places and rng.random() < 0.6 * richness else None
    time = rng.choice(list(VOCAB.times)) if rng.random() < 0.3 * richness else None
    manners = [m for m in VOCAB.manners if manner_ok(m, verb)]
    manner = rng.choice(manners) if manners and rng.random() < 0.25 * richness else None
    return Clause(subj=subj, definite=rng.random() < 0.6, subj_adj=subj_adj, verb=verb, obj=obj,
                  obj_adj=obj_adj, place=place, time=time, manner=manner)


def make_premise(rng: random.Random) -> Sentence:
    first = make_clause(rng)
    if rng.random() < 0.3:
        return first, make_clause(rng, (first.subj,), (first.verb,), richness=0.6)
    return (first,)


# Each pattern takes the clause the hypothesis is about (and the whole premise) and returns a hypothesis
# clause, or None where it does not apply.
Pattern = Callable[[random.Random, Clause, Sentence], Optional[Clause]]


def e_drop(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """Leave out modifiers (or, for a two-clause premise, keep only one clause)."""
    fields = droppable(c)
    chosen = [f for f in fields if rng.random() < 0.5]
    if not chosen and len(premise) == 1:
        if not fields:
            return None
        chosen = [rng.choice(fields)]
    h = drop(c, chosen)
    return replace(h, definite=not h.definite) if rng.random() < 0.3 else h


def e_person(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """"A person is ..." for any named subject."""
    h = random_drop(rng, c, 0.5)
    return replace(h, subj="person", definite=False, subj_adj=None if rng.random() < 0.6 else h.subj_adj)


def e_something(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    if c.obj is None or c.verb == "playing":
        return None
    return random_drop(rng, replace(c, obj="something", obj_adj=None), 0.5, keep=("obj",))


def e_location(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    outdoor = VOCAB.places[c.place].outdoor if c.place else None
    if outdoor is None:
        return None
    adj = c.subj_adj if rng.random() < 0.3 else None
    return Clause(subj=c.subj, subj_adj=adj, loc="outside" if outdoor else "inside")


def e_not_other(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """"The woman is not sleeping." when she is reading."""
    others = [v for v, spec in VOCAB.verbs.items() if spec.alone and incompatible(c.verb, v)]
    return Clause(subj=c.subj, verb=rng.choice(others), negated=True) if others else None


def e_state(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    return Clause(subj=c.subj, state=c.subj_adj) if c.subj_adj else None


def n_add(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """Add one modifier the premise does not give (possibly leaving others out)."""
    spec = VOCAB.verbs[c.verb]
    options: list[tuple[str, list[str]]] = []
    if c.subj_adj is None:
        options.append(("subj_adj", [a for a in VOCAB.subject_adjectives if subj_adj_ok(a, c.subj, c.verb)]))
    if c.obj is None and spec.objects:
        options.append(("obj", [o for o in spec.objects if c.place is None or c.place in allowed_places(c.verb, o)]))
    if c.obj and c.obj_adj is None:
        options.append(("obj_adj", list(obj_adjs(c.verb, c.obj))))
    if c.place is None:
        options.append(("place", allowed_places(c.verb, c.obj)))
    if c.time is None:
        options.append(("time", list(VOCAB.times)))
    if c.manner is None:
        options.append(("manner", [m for m in VOCAB.manners if manner_ok(m, c.verb)]))
    options = [(f, cands) for f, cands in options if cands]
    if not options:
        return None
    field, cands = rng.choice(options)
    base = random_drop(rng, c, 0.4, keep=("obj",) if field == "obj_adj" else ())
    # generalising what the premise does give keeps the pair neutral, and keeps "a person" / "something"
    # from being entailment-only cue words
    if field != "subj_adj" and rng.random() < 0.25:
        base = replace(base, subj="person", definite=False, subj_adj=None)
    if base.obj and field not in ("obj", "obj_adj") and c.verb != "playing" and rng.random() < 0.2:
        base = replace(base, obj="something", obj_adj=None)
    return replace(base, **{field: rng.choice(cands)})


def n_state(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """"The woman is (not) hungry." when the premise says nothing about it."""
    cands = [a for a in VOCAB.neutral_states if a != c.subj_adj and subj_adj_ok(a, c.subj, c.verb)]
    return Clause(subj=c.subj, state=rng.choice(cands), negated=rng.random() < 0.4) if cands else None


def n_role(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """"A teacher is reading." when "a woman" is."""
    taken = [x.subj for x in premise]
    roles = [r for r in VOCAB.persons[c.subj].roles if r not in taken]
    if not roles:
        return None
    return replace(random_drop(rng, c, 0.5), subj=rng.choice(roles), definite=False, subj_adj=None)


def c_verb(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """Swap the activity for one that cannot happen at the same time."""
    others = [v for v in VOCAB.verbs if incompatible(c.verb, v)]
    if not others:
        return None
    verb = rng.choice(others)
    spec = VOCAB.verbs[verb]
    obj = rng.choice(spec.objects) if spec.objects and (not spec.alone or rng.random() < 0.5) else None
    place = c.place if c.place in allowed_places(verb, obj) and rng.random() < 0.6 else None
    time = c.time if rng.random() < 0.5 else None
    adj = c.subj_adj if c.subj_adj and rng.random() < 0.3 and subj_adj_ok(c.subj_adj, c.subj, verb) else None
    return Clause(subj=c.subj, subj_adj=adj, verb=verb, obj=obj, place=place, time=time)


def c_negate(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    return replace(random_drop(rng, replace(c, manner=None), 0.5), negated=True, definite=True)


def c_object(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    others = [o for o in VOCAB.verbs[c.verb].objects if o != c.obj]
    if c.obj is None or not others:
        return None
    obj = rng.choice(others)
    h = random_drop(rng, replace(c, manner=None), 0.5, keep=("obj",))
    adjs = obj_adjs(c.verb, obj)
    adj = rng.choice(adjs) if adjs and rng.random() < 0.3 else None
    place = h.place if h.place in allowed_places(c.verb, obj) else None
    return replace(h, obj=obj, obj_adj=adj, place=place, definite=True)


def c_place(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    if c.place is None:
        return None
    others = [p for p in allowed_places(c.verb, c.obj)
              if p != c.place and frozenset((p, c.place)) not in VOCAB.compatible_places]
    if not others:
        return None
    h = random_drop(rng, replace(c, manner=None), 0.4, keep=("place",))
    return replace(h, place=rng.choice(others), definite=True)


def c_location(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    outdoor = VOCAB.places[c.place].outdoor if c.place else None
    if outdoor is None:
        return None
    return Clause(subj=c.subj, loc="inside" if outdoor else "outside")


def c_state(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    if c.subj_adj is None:
        return None
    antonym = VOCAB.subject_adjectives[c.subj_adj].antonym
    if antonym is not None and rng.random() < 0.5:
        return Clause(subj=c.subj, state=antonym)
    return Clause(subj=c.subj, state=c.subj_adj, negated=True)


def c_time(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    if c.time is None:
        return None
    others = [t for t, part in VOCAB.times.items() if part != VOCAB.times[c.time]]
    h = random_drop(rng, replace(c, manner=None), 0.4, keep=("time",))
    return replace(h, time=rng.choice(others), definite=True)


def c_manner(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    opposite = VOCAB.manners[c.manner].opposite if c.manner else None
    if opposite is None or not manner_ok(opposite, c.verb):
        return None
    return replace(random_drop(rng, c, 0.4, keep=("manner",)), manner=opposite, definite=True)


def c_nobody(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    h = random_drop(rng, replace(c, manner=None, subj_adj=None), 0.5)
    return replace(h, nobody=True)


# patterns listed twice are drawn twice as often
PATTERNS: dict[str, tuple[Pattern, ...]] = {
    "entailment": (e_drop, e_drop, e_person, e_something, e_location, e_not_other, e_state),
    "neutral": (n_add, n_add, n_add, n_state, n_role),
    "contradiction": (c_verb, c_verb, c_negate, c_object, c_place, c_location, c_state, c_time, c_manner,
                      c_nobody),
}


def make_hypothesis(rng: random.Random, premise: Sentence, label: str) -> Optional[Clause]:
    patterns = list(PATTERNS[label])
    rng.shuffle(patterns)
    for pattern in patterns:
        h = pattern(rng, premise[rng.randrange(len(premise))], premise)
        if h is not None and render("en", (h,)) != render("en", premise):
            return h
    return None


class Group(NamedTuple):
    prompt_id: int
    genre: str
    premise: Sentence
    hypotheses: tuple[tuple[str, Clause], ...]  # (label, hypothesis) for each label


def make_groups(rng: random.Random, n: int, first_id: int, seen: set[str]) -> list[Group]:
    """n premises, each with one hypothesis per label; premises never repeat any sentence seen before."""
    groups: list[Group] = []
    while len(groups) < n:
        premise = make_premise(rng)
        text = render("en", premise)
        if text in seen or len(text.split()) < 5:
            continue
        hyps = [(label, make_hypothesis(rng, premise, label)) for label in LABELS]
        texts = {render("en", (h,)) for _, h in hyps if h is not None}
        if len(texts) < len(LABELS):
            continue
        seen.add(text)
        seen.update(texts)
        genre = rng.choice(VOCAB.genres)
        groups.append(Group(first_id + len(groups), genre, premise, tuple(hyps)))  # type: ignore[arg-type]
    return groups


def flatten(rng: random.Random, groups: list[Group]) -> list[tuple[Group, str, Clause]]:
    rows = [(g, label, h) for g in groups for label, h in g.hypotheses]
    rng.shuffle(rows)
    return rows


