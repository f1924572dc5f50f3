"""(query, target) training pairs for the retrieval targets that XTREME-R fine-tunes as dual encoders.

LAReQA trains on SQuAD v1.1 (google-research/xtreme scripts/train_lareqa.sh): the question is the query, the
context sentence holding the answer is the target, as XQuAD-R's pool holds sentences. Mewsli-X trains on its
English Wikipedia pairs (scripts/train_mewslix.sh): the marked mention in context is the query, the entity's
description the target. A task's spec names its builder (`train_pairs`); Tatoeba and BUCC name none and are
not trained. Every pair carries a `group` (the paragraph, or the entity), the unit the held-out English dev
slice is cut by, so no dev paragraph or entity is trained on.
"""
from __future__ import annotations

from collections.abc import Callable

from datasets import Dataset

from stilts.core.errors import StiltsError, unknown
from stilts.core.text import sentences, text_key

def answer_sentence(context: str, answer_start: int) -> str:
    """The sentence holding the character at `answer_start` (the last one starting at or before it)."""
    found = [s for at, s in sentences(context) if at <= answer_start]
    return (found[-1] if found else context).strip()


def squad_pairs(rows: Dataset) -> Dataset:
    """Question -> the sentence of its first answer; unanswerable rows are left out."""
    pairs = [{"id": i, "query": q, "target": answer_sentence(c, a["answer_start"][0]), "group": c}
             for i, q, c, a in zip(rows["id"], rows["question"], rows["context"], rows["answers"]) if a["answer_start"]]
    return _dataset(pairs, "SQuAD rows with an answer")


def mention_pairs(rows: Dataset) -> Dataset:
    """Rows of a retrieval task whose target text is given (Mewsli-X's Wikipedia pairs: mention -> entity
    description), grouped by entity."""
    pairs = [{"id": i, "query": q, "target": t, "group": (ids or [t])[0]}
             for i, q, t, ids in zip(rows["id"], rows["query"], rows["target"], rows["target_ids"]) if t.strip()]
    return _dataset(pairs, "rows with a target text (an entity description)")


def _dataset(pairs: list[dict], what: str) -> Dataset:
    if not pairs:
        raise StiltsError(f"no retrieval training pairs: the training data has no {what}")
    return Dataset.from_list(pairs)


PAIRS: dict[str, Callable[[Dataset], Dataset]] = {"answer_sentence": squad_pairs, "wikipedia_pairs": mention_pairs}


def build_pairs(name: str, rows: Dataset) -> Dataset:
    """The `train_pairs` builder of a task's spec applied to its training rows."""
    if name not in PAIRS:
        raise unknown("retrieval training pairs", name, sorted(PAIRS))
    return PAIRS[name](rows)



def with_prefix(pairs: Dataset, prefix: str) -> Dataset:
    """Queries and targets after the model's retrieval prefix (e5: "query: "), as `stilts eval` embeds them, so
    the dual encoder trains on the inputs it is scored on."""
    if not prefix:
        return pairs
    return pairs.map(lambda r: {"query": prefix + r["query"], "target": prefix + r["target"]})


def held_out(pairs: Dataset, dev_limit: int | None, share: float = 0.1) -> tuple[Dataset, Dataset]:
    """(train, dev): whole groups, taken in the order of their keys (independent of row order), go to dev until
    it holds min(dev_limit, share of the pairs) rows (at least one group); no dev paragraph or entity is trained
    on. The task's own dev/test data never selects a model: XQuAD-R's English side is SQuAD dev itself."""
    want = max(1, int(len(pairs) * share))
    if dev_limit:
        want = min(want, dev_limit)
    sizes: dict[str, int] = {}
    for g in pairs["group"]:
        sizes[g] = sizes.get(g, 0) + 1
    if len(sizes) < 2:
        raise StiltsError(f"{len(pairs)} retrieval training pairs from {len(sizes)} paragraph/entity: too few to "
                          "hold out an English dev slice")
    dev_groups, n = set(), 0
    for g in sorted(sizes, key=lambda x: (text_key(x), x))[:-1]:  # at least one group stays for training
        if n >= want:
            break
        dev_groups.add(g)
        n += sizes[g]
    is_dev = [g in dev_groups for g in pairs["group"]]
    return (pairs.select([i for i, d in enumerate(is_dev) if not d]),
            pairs.select([i for i, d in enumerate(is_dev) if d]))
