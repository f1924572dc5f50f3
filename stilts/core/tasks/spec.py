"""A task is data: one YAML file per task under `specs/`, typed by these dataclasses and checked strictly."""
from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import yaml

from stilts.core.errors import StiltsError
from stilts.core.tasks.schema import KINDS

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


def _check(cls: type, data: Any, where: str, problems: list[str]) -> Any:
    """Build `cls` from a mapping, collecting every unknown key, missing key and type mismatch."""
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping, got {type(data).__name__}")
        return None
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            problems.append(f"{where}.{key}: unknown key (known: {', '.join(fields)})")
    kwargs = {}
    for name, f in fields.items():
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                problems.append(f"{where}.{name}: missing")
            continue
        value, hint = data[name], hints[name]
        target = next((a for a in get_args(hint) if dataclasses.is_dataclass(a)), hint)
        if get_origin(hint) is list and get_args(hint) and dataclasses.is_dataclass(get_args(hint)[0]):
            if not isinstance(value, list):
                problems.append(f"{where}.{name}: expected a list")
                continue
            value = [_check(get_args(hint)[0], v, f"{where}.{name}[{i}]", problems) for i, v in enumerate(value)]
        elif dataclasses.is_dataclass(target) and value is not None:
            value = _check(target, value, f"{where}.{name}", problems)
        elif isinstance(value, str) and _type_ok(_as_float(value), hint) and not _type_ok(value, hint):
            value = _as_float(value)  # YAML 1.1 reads `1e-4` as a string; a float field takes it as a number
        elif not _type_ok(value, hint):
            problems.append(f"{where}.{name}: expected {hint}, got {type(value).__name__}")
        kwargs[name] = value
    return cls(**kwargs) if not problems else None


def _as_float(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _type_ok(value: Any, hint: Any) -> bool:
    if hint is Any:
        return True
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return any(_type_ok(value, a) for a in get_args(hint))
    if hint is type(None):
        return value is None
    if origin in (list, dict):
        return isinstance(value, origin)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, hint) if isinstance(hint, type) else True


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
        if spec.kind in ("pair_classification", "single_classification") and not spec.labels:
            problems.append(f"{path.stem}.labels: a classification task needs label names")
    if problems:
        raise StiltsError(f"{path}: invalid task spec: " + "; ".join(problems))
    return spec


def from_mapping(cls: type, data: Any, where: str) -> Any:
    """Build a (nested) dataclass from a mapping, reporting every bad key path in one line (build configs too)."""
    problems: list[str] = []
    obj = _check(cls, data, where, problems)
    if problems:
        raise StiltsError(f"invalid {where}: " + "; ".join(problems))
    return obj
