"""Extractive QA (SQuAD, XQuAD, MLQA, TyDiQA-GoldP): the answer is a span of the context.

Tokenised as SQuAD-style windows over long contexts (`stride` tokens of overlap; XTREME's is 128 at 384 tokens,
shorter windows overlap proportionally), with the answer's token span in each window or the CLS position when
the window misses it. A prediction is the best span over an example's windows, cut from the context by
character offsets (so scripts without spaces and right-to-left scripts need no special casing). Translation:
context, question and each answer; the translated answer is then found in the translated context (exact, then
case-insensitive), and when it is not there the example is dropped and counted."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from datasets import Dataset, Sequence, Value

from stilts.core.errors import DataError
from stilts.core.kinds.base import Point, TaskKind
from stilts.core.kinds.rows import MISSING, labelled
from stilts.core.text import sentences


def best_span(start: np.ndarray, end: np.ndarray, offsets: list, max_len: int = 30) -> tuple[float, int, int]:
    """(score, char start, char end) of the best answer span within the unpadded window of one feature."""
    best = (-1e9, 0, 0)
    start, end = start[:len(offsets)], end[:len(offsets)]  # logits cover the padded batch width
    cand_s = [i for i in np.argsort(-start)[:20] if offsets[i] is not None]
    cand_e = [i for i in np.argsort(-end)[:20] if offsets[i] is not None]
    for s in cand_s:
        for e in cand_e:
            if s <= e < s + max_len and start[s] + end[e] > best[0]:
                best = (float(start[s] + end[e]), offsets[s][0], offsets[e][1])
    return best


class SpanQA(TaskKind):
    name = "span_qa"
    fields = ("context", "question", "answers")
    nonempty_text = ("context", "question")
    signature = frozenset({"answers"})
    signature_rank = 3
    label_column = "answers"
    task_category = "question-answering"
    langid_field = "context"
    document_fields = ("question", "context")
    perturbed_fields = ("question",)   # the answer span must stay valid
    head = "AutoModelForQuestionAnswering"
    several_points = True

    def field_features(self, labels: list[str] | None) -> dict:
        return {"context": Value("string"), "question": Value("string"),
                "answers": {"text": Sequence(Value("string")), "answer_start": Sequence(Value("int32"))}}

    def check_row(self, out: dict, job: dict, where: tuple, state: dict) -> None:
        ans = out["answers"]
        if ans is MISSING or ans is None:
            ans = {"text": [], "answer_start": []}
        if not isinstance(ans, dict) or len(ans.get("text", [])) != len(ans.get("answer_start", [])):
            raise DataError(*where, "answers", "expected {text: [...], answer_start: [...]} of equal length")
        if not job.get("unanswerable"):  # in SQuAD v2.0 an empty answer list is a label, not a stripped one
            labelled(state, bool(ans["text"]), where, "answers")
        out["answers"] = {"text": list(ans["text"]), "answer_start": [int(s) for s in ans["answer_start"]]}

    def has_gold(self, values: list) -> bool:
        return any(a["text"] for a in values)

    def texts_to_translate(self, row: dict) -> list[str]:
        return [row["context"], row["question"], *row["answers"]["text"]]

    def apply_translation(self, new: dict, row: dict, t: Callable[[str], str]) -> str | None:
        context = t(row["context"])
        texts, starts = [], []
        for answer in row["answers"]["text"]:
            a = t(answer)
            start = context.find(a) if a else -1
            if start < 0 and a:
                start = context.lower().find(a.lower())
                a = context[start:start + len(a)] if start >= 0 else a
            if start < 0:
                return "answer_not_found"
            texts.append(a)
            starts.append(start)
        new.update(context=context, question=t(row["question"]), answers={"text": texts, "answer_start": starts})
        return None

    def texts_to_embed(self, row: dict) -> list[str]:
        return [row["question"], *[s for _, s in sentences(row["context"])]]

    def selection_points(self, row: dict, vec: dict[str, np.ndarray]) -> list[Point]:
        """`[question ; sentence]`: 1 for the sentence holding the answer, 0 for up to three others."""
        q = vec[row["question"]]
        start = row["answers"]["answer_start"][0] if row["answers"]["answer_start"] else -1
        sents = sentences(row["context"])
        gold = max((k for k, (s, _) in enumerate(sents) if s <= start), default=0)
        others = [s for k, (_, s) in enumerate(sents) if k != gold][:3]
        return [(np.concatenate([q, vec[sents[gold][1]]]), 1, True),
                *[(np.concatenate([q, vec[s]]), 0, False) for s in others]]

    def head_kwargs(self, num_labels: int | None) -> dict:
        return {"num_labels": 2}   # start and end logits, whatever the encoder's previous head had

    def encode_kwargs(self, max_length: int) -> dict:
        return {"stride": min(128, max_length // 4)}

    def encode_batch(self, batch: dict, tok: Any, max_length: int, stride: int = 128) -> dict:
        enc = tok(batch["question"], batch["context"], truncation="only_second", max_length=max_length,
                  stride=stride, return_overflowing_tokens=True, return_offsets_mapping=True, padding=False)
        starts, ends, example_ids, offsets = [], [], [], []
        for i, offs in enumerate(enc["offset_mapping"]):
            ex = enc["overflow_to_sample_mapping"][i]
            seq = enc.sequence_ids(i)
            ctx = [k for k, s in enumerate(seq) if s == 1]
            answers = batch["answers"][ex]
            start_tok = end_tok = 0
            if answers["answer_start"]:
                a0 = answers["answer_start"][0]
                a1 = a0 + len(answers["text"][0])
                if ctx and offs[ctx[0]][0] <= a0 and offs[ctx[-1]][1] >= a1:
                    start_tok = next(k for k in ctx if offs[k][0] <= a0 < offs[k][1] or offs[k][0] >= a0)
                    end_tok = next(k for k in reversed(ctx) if offs[k][0] < a1)
            starts.append(start_tok)
            ends.append(end_tok)
            example_ids.append(batch["id"][ex])
            offsets.append([list(o) if seq[k] == 1 else None for k, o in enumerate(offs)])
        return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "start_positions": starts,
                "end_positions": ends, "example_id": example_ids, "offset_mapping": offsets}

    def decode(self, idx: list[int], rows: list[dict], out: Any, preds: dict) -> None:
        """Keyed by example id: the best (score, start, end) over the example's windows."""
        for r, s, e in zip(rows, out.start_logits.float().cpu().numpy(), out.end_logits.float().cpu().numpy()):
            cand = best_span(s, e, r["offset_mapping"])
            if r["example_id"] not in preds or cand[0] > preds[r["example_id"]][0]:
                preds[r["example_id"]] = cand

    def predictions(self, preds: dict, ds: Dataset, owners: list[int] | None) -> list:
        return [ctx[preds[i][1]:preds[i][2]].strip() if i in preds else "" for i, ctx in zip(ds["id"], ds["context"])]

    def dev_inputs(self, preds: dict, dev_raw: Any, dev_feats: Any, tag_names: list[str] | None) -> tuple[list, list]:
        contexts = dict(zip(dev_raw["id"], dev_raw["context"]))
        golds = dict(zip(dev_raw["id"], [a["text"] for a in dev_raw["answers"]]))
        ids = [i for i in golds if golds[i]]
        texts = [contexts[i][preds[i][1]:preds[i][2]].strip() if i in preds else "" for i in ids]
        return texts, [golds[i] for i in ids]

    def zero_shot(self, preds: list, ds: Dataset, labels: list[str] | None) -> tuple[list, list, str]:
        return preds, [a["text"] for a in ds["answers"]], ""
