"""A task is data: one YAML file per task under `specs/`, typed by these dataclasses and checked strictly."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stilts.core.config_check import check as _check
from stilts.core.config_check import from_mapping  # noqa: F401  (its old home; new code imports config_check)
from stilts.core.errors import StiltsError
from stilts.core.kinds import KINDS, get_kind

ColumnMap = dict[str, Any]  # unified field -> source column (name, position, or list of them for `choices`)


@dataclass(frozen=True)
class HubSource:
    path: str                                   # hub dataset id, e.g. facebook/xnli
    splits: dict[str, str]                      # unified split -> hub split (datasets split syntax, "a+b" allowed)
    config: str | None = None                   # may use {lang} and {code}
    columns: ColumnMap = field(default_factory=dict)
    label_map: dict[str, Any] = field(default_factory=dict)
    languages: list[str] | None = None          # languages this hub copy covers, when fewer than the task's
    revision: str | None = None                 # e.g. refs/convert/parquet: the hub's parquet export of a
                                                # repository that still holds a loading script
    data_dir: str | None = None                 # a folder of the repo/revision; may use {lang} and {code}
    id_prefix: dict[str, str] = field(default_factory=dict)  # one config for all languages: a language's
                                                # rows are those whose id starts with its prefix
    notes: str = ""


@dataclass(frozen=True)
class Layout:
    """How the task's authors publish its files: one named layout of a data directory."""
    name: str
    format: str                                 # a reader in stilts.core.tasks.formats
    files: dict[str, Any]                       # unified split -> pattern | [patterns] | {role: pattern(s)}
    options: dict[str, Any] = field(default_factory=dict)
    columns: ColumnMap = field(default_factory=dict)
    label_map: dict[str, Any] = field(default_factory=dict)
    variants: list[str] | None = None           # fills {variant}; the first is the default
    pool: dict[str, Any] = field(default_factory=dict)   # retrieval: split -> candidate-pool pattern(s)
    pool_format: str = "lines"
    ids: str = "source"                         # "position": the source's ids are not unique (TyDiQA en train)
    union: bool = False                         # a split's patterns add up (CCGbank sections) instead of alternating
    subset: str = ""                            # set when the files are a published subset, not the official split
    stands_in: dict[str, str] = field(default_factory=dict)  # split -> the published split whose files it reads
                                                # (SIQA without its train file: train -> test); said when used
    notes: str = ""


@dataclass(frozen=True)
class TaskSpec:
    name: str
    kind: str
    description: str
    role: str                                   # intermediate | target | stage
    benchmark: str                              # phang2020 | xtreme-r | xtreme | support
    metric: str
    languages: list[str]
    splits: list[str]
    labels: list[str] | None = None
    eval_split: str | None = None               # the split zero-shot evaluation predicts on
    train_language: str = "en"
    extra_languages: list[str] = field(default_factory=list)   # loadable, but outside the benchmark's set
    lang_codes: dict[str, str] = field(default_factory=dict)   # registry code -> the dataset's own code
    epochs: float | None = None
    max_length: int | None = None
    hub: HubSource | None = None
    no_hub_reason: str = ""
    layouts: list[Layout] = field(default_factory=list)
    train_from: str | None = None               # target tasks trained on another task's English data (XNLI<-MNLI)
    stages: list[str] = field(default_factory=list)  # hidden stages before the target (XCOPA: siqa, copa)
    train_pairs: str | None = None              # retrieval: the builder of its (query, target) training pairs from
                                                # train_from's (or its own) train split (stilts.train.retrieval_pairs);
                                                # none: no target training (Tatoeba, BUCC)
    parts: list[str] = field(default_factory=list)   # composite tasks (ANLI+ = anli + mnli + snli)
    unanswerable: bool = False                  # span QA with unanswerable questions (SQuAD v2.0)
    aliases: list[str] = field(default_factory=list)
    licence: str = ""
    citation: str = ""
    notes: str = ""

    @property
    def all_languages(self) -> list[str]:
        return list(dict.fromkeys(self.languages + self.extra_languages))

    def code(self, lang: str) -> str:
        return self.lang_codes.get(lang, lang)


def load_spec(path: Path) -> TaskSpec:
    """Parse and validate one spec file; all problems are reported at once, in one line."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise StiltsError(f"{path}: invalid YAML: {' '.join(str(e).split())}") from None
    problems: list[str] = []
    spec = _check(TaskSpec, data, path.stem, problems)
    if spec is not None:
        if spec.kind not in KINDS:
            problems.append(f"{path.stem}.kind: {spec.kind!r} is not one of {', '.join(KINDS)}")
        if spec.eval_split and spec.eval_split not in spec.splits:
            problems.append(f"{path.stem}.eval_split: {spec.eval_split!r} is not in splits")
        if spec.kind in KINDS and get_kind(spec.kind).needs_labels and not spec.labels:
            problems.append(f"{path.stem}.labels: a classification task needs label names")
        for lay in spec.layouts:
            bad = {k: v for k, v in lay.stands_in.items() if k not in lay.files or v not in spec.splits}
            if bad:
                problems.append(f"{path.stem}.layouts.{lay.name}.stands_in: {bad} must map a split of its files to "
                                "one of the task's splits")
    if problems:
        raise StiltsError(f"{path}: invalid task spec: " + "; ".join(problems))
    return spec
