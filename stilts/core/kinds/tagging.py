"""One tag per word (POS, NER, CCG supertags). Words are split into sub-tokens; one of them, the word's head
(`word_heads`: its first sub-token that holds a character of the word), carries the word's label, the others
IGNORE; training labels and predictions both read the head. Long inputs are predicted in word windows, so every
word gets a tag.
Translation is word by word (each token on its own), so the labels stay aligned: only word-level translators
can do that."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datasets import ClassLabel, Dataset, Features, Sequence, Value

from stilts.core.errors import DataError, StiltsError
from stilts.core.kinds.base import IGNORE, UNLABELLED, TaskKind
from stilts.core.kinds.rows import MISSING, label_index, labelled


# Sub-tokens that mark a word's start and hold none of its characters: a sentencepiece tokenizer (XLM-R,
# e5-small) often splits a CJK word as a bare '▁' and then its characters; a byte-level BPE can emit a bare 'Ġ'.
BARE_MARKERS = frozenset({"\u2581", "\u0120"})


def word_heads(word_ids: list[int | None], pieces: list[str]) -> dict[int, int]:
    """Word index -> the position of the sub-token that carries its label: its first sub-token that is not a
    bare word-start marker (else its first). A bare '▁' is the same piece before every such word, so a label on
    it teaches nothing about the word: PAN-X/UD-POS zh put most labels there (one rule for training and
    prediction, which reads the labelled positions)."""
    heads: dict[int, int] = {}
    for k, (w, piece) in enumerate(zip(word_ids, pieces)):
        if w is not None and (w not in heads or (pieces[heads[w]] in BARE_MARKERS and piece not in BARE_MARKERS)):
            heads[w] = k
    return heads


def word_windows(words: list[str], tok: Any, max_length: int) -> list[tuple[int, int]]:
    """Consecutive word ranges whose sub-tokens fit in one sequence (with the special tokens), so that a long
    tagging input is predicted window by window and every word gets a tag."""
    budget = max(1, max_length - tok.num_special_tokens_to_add())
    sizes = [max(1, len(ids)) for ids in tok(words, add_special_tokens=False)["input_ids"]] if words else []
    windows, start, used = [], 0, 0
    for i, n in enumerate(sizes):
        if used + n > budget and i > start:
            windows.append((start, i))
            start, used = i, 0
        used += n
    windows.append((start, len(words)))
    return windows


class Tagging(TaskKind):
    name = "tagging"
    fields = ("tokens", "tags")
    signature = frozenset({"tokens", "tags"})
    signature_rank = 1
    label_column = "tags"
    task_category = "token-classification"
    langid_field = "tokens"
    document_fields = ("tokens",)
    head = "AutoModelForTokenClassification"
    encoding = 2                              # 2: labels on each word's head (word_heads), not its first piece

    def field_features(self, labels: list[str] | None) -> dict:
        """`labels=None` means an open tag set (e.g. CCG): tags stay strings."""
        tag = ClassLabel(names=labels) if labels else Value("string")
        return {"tokens": Sequence(Value("string")), "tags": Sequence(tag)}

    def check_row(self, out: dict, job: dict, where: tuple, state: dict) -> None:
        tokens, tags = out["tokens"], out["tags"]
        if not isinstance(tokens, list) or not tokens:
            raise DataError(*where, "tokens", "empty sentence")
        for i, t in enumerate(tokens):
            if not isinstance(t, str) or not t.strip():
                raise DataError(*where, "tokens", f"token {i} is empty")
        if tags is MISSING or tags is None or all(t is None for t in tags):
            labelled(state, False, where, "tags")
            out["tags"] = [-1 if job["labels"] else ""] * len(tokens)
            return
        labelled(state, True, where, "tags")
        if len(tags) != len(tokens):
            raise DataError(*where, "tags", f"{len(tags)} tags for {len(tokens)} tokens")
        if job["labels"]:
            idx = [label_index(t, job["labels"], job.get("label_map") or {}, None, where, "tags") for t in tags]
            if None in idx:
                raise DataError(*where, "tags", f"token {idx.index(None)} has no tag")
            out["tags"] = idx
        else:
            out["tags"] = [str(t) for t in tags]

    def has_gold(self, values: list) -> bool:
        return any(t and t[0] not in (UNLABELLED, "") for t in values)

    def texts_to_translate(self, row: dict) -> list[str]:
        return list(row["tokens"])

    def check_translator(self, task: str, translator: Any) -> None:
        if not translator.word_level:
            raise StiltsError(f"{task} is a tagging task: its token labels stay aligned only under "
                              f"word-by-word translation; {translator.name} translates whole sentences. "
                              "Use --translator dictionary or identity")

    def apply_translation(self, new: dict, row: dict, t: Callable[[str], str]) -> str | None:
        # An empty translation (a dropped article) keeps the source token, so every tag keeps its token.
        new.update(tokens=[t(tok) or tok for tok in row["tokens"]])
        return None

    def texts_to_embed(self, row: dict) -> list[str]:
        return [" ".join(row["tokens"])]

    def head_kwargs(self, num_labels: int | None) -> dict:
        return {"num_labels": num_labels} if num_labels else {}

    def encode_batch(self, batch: dict, tok: Any, max_length: int) -> dict:
        enc = tok(batch["tokens"], is_split_into_words=True, truncation=True, max_length=max_length)
        labels = []
        for i, tags in enumerate(batch["tags"]):
            row = [IGNORE] * len(enc["input_ids"][i])
            for w, k in word_heads(enc.word_ids(i), enc.tokens(i)).items():
                row[k] = tags[w]
            labels.append(row)
        return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels}

    def decode(self, idx: list[int], rows: list[dict], out: Any, preds: dict) -> None:
        """Word-level tag indices: each word's head's (`word_heads`), the positions its labels mark."""
        for i, r, lg in zip(idx, rows, out.logits.float().cpu()):
            p = lg.argmax(-1).tolist()
            preds[i] = [p[k] for k, lab in enumerate(r["labels"]) if lab != IGNORE]

    def prediction_inputs(self, ds: Dataset, tok: Any, max_length: int) -> tuple[Dataset, list[int] | None]:
        """Rows longer than `max_length` sub-tokens cut into word windows, each owned by its row."""
        owners, pieces = [], {"tokens": [], "tags": []}
        for row, (words, tags) in enumerate(zip(ds["tokens"], ds["tags"])):
            for a, b in word_windows(list(words), tok, max_length):
                owners.append(row)
                pieces["tokens"].append(list(words[a:b]))
                pieces["tags"].append([t if t is not None else -1 for t in tags[a:b]] if tags else [-1] * (b - a))
        return Dataset.from_dict(pieces, features=Features({k: ds.features[k] for k in pieces})), owners

    def predictions(self, preds: dict, ds: Dataset, owners: list[int] | None) -> list:
        """The windows' tags joined back in order: one list per row."""
        out: list[list[int]] = [[] for _ in range(len(ds))]
        for i, row in enumerate(owners if owners is not None else range(len(ds))):
            out[row] += preds[i]
        return out

    def dev_inputs(self, preds: dict, dev_raw: Any, dev_feats: Any, tag_names: list[str] | None) -> tuple[list, list]:
        order = sorted(preds)
        labels = list(dev_feats["labels"])
        golds = [[tag_names[lab] for lab in labels[i] if lab != IGNORE] for i in order]
        return [[tag_names[t] for t in preds[i]] for i in order], golds

    def zero_shot(self, preds: list, ds: Dataset, labels: list[str] | None) -> tuple[list, list, str]:
        golds = [[labels[i] if i >= 0 else None for i in t] for t in ds["tags"]]
        # Long inputs are predicted in word windows, so every word gets a tag; a word that the tokenizer turns
        # into no sub-token at all gets none and counts as "O", and is reported.
        cut = sum(len(g) - len(p) for p, g in zip(preds, golds))
        preds = [[labels[i] for i in p] + ["O"] * (len(g) - len(p)) for p, g in zip(preds, golds)]
        return preds, golds, f"{cut} words with no sub-token scored as 'O'" if cut else ""
