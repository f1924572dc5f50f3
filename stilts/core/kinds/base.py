"""What every task kind answers: the one place that knows how a kind's rows look, are checked, translated,
embedded, tokenised, decoded and scored. Each kind module overrides only what differs from these defaults.

Kinds import nothing above `stilts.core` and never torch: tokenisation and decoding receive the tokenizer and
the model's outputs as arguments."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from datasets import Dataset, Features, Value

from stilts.core.errors import StiltsError

IGNORE = -100       # the label of sub-tokens and special tokens that no loss or score reads
UNLABELLED = -1     # ClassLabel's own "no label" value
KEEP_AS_IS = {"", "cause", "effect"}   # never translated (COPA's question is a keyword)
TEXT_FIELDS = ("text_a", "text_b", "text", "context", "query")   # a translation must not empty these

Point = tuple[np.ndarray, int, bool]   # (vector, label, the row's own gold point)


class TaskKind:
    """A task kind's defaults. Class attributes are data; methods are the behaviour per kind."""

    name: str = ""
    is_task: bool = True                      # a kind task specs may name (mlm is a training objective only)
    fields: tuple[str, ...] = ()              # unified fields besides `id` and `lang`
    nonempty_text: tuple[str, ...] = ()       # which of them hold text that must not be empty
    signature: frozenset[str] = frozenset()   # unified fields in a --columns mapping that name this kind
    signature_rank: int = 99                  # the order signatures are tried in (the most specific first)
    needs_labels: bool = False                # a spec must name its classes
    label_column: str = "label"               # where gold lives (is_labelled)
    task_category: str = ""                   # the hub card's task category
    langid_field: str = "tokens"              # the field language ID reads
    document_fields: tuple[str, ...] = ()     # a whole example as one text (contamination)
    translated_fields: tuple[str, ...] = ()   # text fields translated as they are (more: texts_to_translate)
    perturbed_fields: tuple[str, ...] = ()    # the fields perturbations change (none: not applicable)
    head: str | None = None                   # transformers Auto class of its head; None: no head
    head_per_label: bool = True               # the head has one output per label name
    dual_encoder: bool = False                # trained and scored as an encoder alone (pooled vectors)
    has_pool: bool = False                    # evaluation searches a candidate pool
    classifies: bool = False                  # one class per row (a reference classifier can score it)
    several_points: bool = False              # a row has several selection points
    references: bool = False                  # a reference classifier on frozen vectors can score it
    scored_by_loss: bool = False              # model selection by loss, not by a task metric
    encoding: int = 1                         # bump when encode_batch's output changes: `datasets` hashes the
                                              # method by name, not code, so this retires cached features

    def __repr__(self) -> str:
        return f"<TaskKind {self.name}>"

    # ---- schema and checks --------------------------------------------------------------------------------

    def field_features(self, labels: list[str] | None) -> dict:
        raise NotImplementedError(self.name)

    def features(self, labels: list[str] | None) -> Features:
        """`datasets.Features` of a unified row (labels: the class names, where the kind has classes)."""
        return Features({"id": Value("string"), "lang": Value("string"), **self.field_features(labels)})

    def check_row(self, out: dict, job: dict, where: tuple, state: dict) -> None:
        """Validate and normalise the kind's own fields of one unified row, in place (unify)."""

    def is_labelled(self, ds: Dataset) -> bool:
        """Whether any row carries gold (XTREME strips test labels)."""
        if len(ds) == 0:
            return False
        return self.has_gold(ds[self.label_column])

    def has_gold(self, values: list) -> bool:
        return any(v != UNLABELLED for v in values)

    # ---- advmine: translation, perturbation, checks, selection ---------------------------------------------

    def texts_to_translate(self, row: dict) -> list[str]:
        return [row[f] for f in self.translated_fields]

    def check_translator(self, task: str, translator: Any) -> None:
        """Refuse a translator that cannot keep this kind's labels aligned."""

    def rebuild(self, row: dict, tr: dict[str, str]) -> tuple[dict[str, Any] | None, str | None]:
        """The translated row, or (None, reason) when it must be dropped."""
        t = lambda s: tr.get(s, s) if s not in KEEP_AS_IS else s  # noqa: E731
        new = dict(row)
        reason = self.apply_translation(new, row, t)
        if reason:
            return None, reason
        for field in TEXT_FIELDS:
            if field in new and not str(new[field]).strip() and str(row[field]).strip():
                return None, "empty_translation"
        return new, None

    def apply_translation(self, new: dict, row: dict, t: Callable[[str], str]) -> str | None:
        """Write the translated fields into `new`; a reason to drop the row, or None."""
        new.update({f: t(row[f]) for f in self.translated_fields})
        return None

    def perturb_fields(self, side: str) -> list[str]:
        return list(self.perturbed_fields)

    def document(self, row: dict) -> str:
        parts = []
        for f in self.document_fields:
            v = row.get(f, "")
            parts.append(" ".join(v) if isinstance(v, list) else (v or ""))
        return " \n ".join(p for p in parts if p)

    def texts_to_embed(self, row: dict) -> list[str]:
        return [self.document(row)]

    def selection_points(self, row: dict, vec: dict[str, np.ndarray]) -> list[Point]:
        raise StiltsError(f"hard-example selection needs a label per row; a {self.name} task has none here "
                          "(use --select random)")

    def stratum(self, row: dict) -> int | None:
        """The class a label-stratified budget keeps in proportion (None: the kind has no class per row)."""
        return None

    def reference_features(self, row: dict, vec: dict[str, np.ndarray]) -> np.ndarray:
        """The frozen-vector features a reference classifier reads (cartography, noise estimates)."""
        raise StiltsError(f"a {self.name} row has no class for a reference classifier")

    def classifier_texts(self, rows: list[dict]) -> tuple[list[str], ...]:
        """The sequence(s) a sequence classifier reads for each row (model-margin; kinds that `classifies`)."""
        raise NotImplementedError(f"a {self.name} row has no class to classify")

    # ---- models: heads, tokenisation, decoding, scoring ----------------------------------------------------

    def head_kwargs(self, num_labels: int | None) -> dict:
        return {}

    @property
    def tokenises(self) -> bool:
        return type(self).encode_batch is not TaskKind.encode_batch

    def training_rows(self, ds: Dataset) -> Dataset:
        """The rows a model trains on (classes: labelled rows only)."""
        return ds

    def encode_kwargs(self, max_length: int) -> dict:
        return {}

    def encode_batch(self, batch: dict, tok: Any, max_length: int) -> dict:
        raise StiltsError(f"stilts train has no features for {self.name} tasks")

    def decode(self, idx: list[int], rows: list[dict], out: Any, preds: dict) -> None:
        """Model outputs of one batch -> `preds` (feature position -> class index)."""
        for i, lg in zip(idx, out.logits.float().cpu()):
            preds[i] = int(lg.argmax(-1))

    def prediction_inputs(self, ds: Dataset, tok: Any, max_length: int) -> tuple[Dataset, list[int] | None]:
        """What inference runs on, and which row each of its examples belongs to (None: one each)."""
        return ds, None

    def predictions(self, preds: dict, ds: Dataset, owners: list[int] | None) -> list:
        """One prediction per row of `ds`, in order."""
        return [preds[i] for i in range(len(ds))]

    def dev_inputs(self, preds: dict, dev_raw: Any, dev_feats: Any, tag_names: list[str] | None) -> tuple[list, list]:
        """(predictions, golds) for the metric that selects a checkpoint on English dev data."""
        order = sorted(preds)
        labels = list(dev_feats["labels"])
        return [preds[i] for i in order], [labels[i] for i in order]

    def zero_shot(self, preds: list, ds: Dataset, labels: list[str] | None) -> tuple[list, list, str]:
        """(predictions, golds, note) as the benchmark metric reads them."""
        return preds, list(ds["label"]), ""
