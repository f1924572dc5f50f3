"""Any dataset by column mapping: local files (jsonl/json/csv/tsv/parquet) or a hub id, no spec file needed."""
from __future__ import annotations

from pathlib import Path

from datasets import Dataset

from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind, kind_of_columns
from stilts.core.tasks.loader import load
from stilts.core.tasks.spec import HubSource, Layout, TaskSpec

EXTENSIONS = {".jsonl": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}


def parse_columns(text: str) -> dict[str, str | list[str]]:
    """'text_a=premise,text_b=hypothesis,label=gold' -> mapping; `choices=a|b|c` maps a list."""
    mapping: dict[str, str | list[str]] = {}
    for item in filter(None, (x.strip() for x in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise StiltsError(f"--columns: {item!r} is not FIELD=COLUMN (e.g. text_a=premise)")
        mapping[key.strip()] = value.split("|") if "|" in value else value.strip()
    return mapping


def infer_kind(columns: dict) -> str:
    """The kind follows from the unified fields the mapping names."""
    kind = kind_of_columns(columns)
    if kind:
        return kind
    raise StiltsError(f"--columns {','.join(columns)}: name the unified fields of a task kind, e.g. "
                      "text_a=...,text_b=...,label=... (pair) or text=...,label=... (single)")


def custom_spec(columns: dict, labels: list[str] | None, *, data_files: list[str] | None = None,
                hub_id: str | None = None, config: str | None = None, split: str = "train",
                lang: str = "en", kind: str | None = None) -> TaskSpec:
    kind = kind or infer_kind(columns)
    if get_kind(kind).needs_labels and not labels:
        raise StiltsError("a classification dataset needs its label names: pass --labels a,b,c")
    layouts, hub = [], None
    if data_files:
        paths = [Path(p).resolve() for p in data_files]
        for p in paths:
            if not p.is_file():
                raise StiltsError(f"--data-files: {p}: no such file")
        suffix = paths[0].suffix if paths[0].suffix != ".gz" else Path(paths[0].stem).suffix
        fmt = EXTENSIONS.get(suffix)
        if fmt is None:
            raise StiltsError(f"--data-files: {paths[0].name}: unknown format (use {', '.join(EXTENSIONS)})")
        options = {"header": True} if fmt == "tsv" else {}
        layouts = [Layout(name="files", format=fmt, files={split: [str(p) for p in paths]}, options=options,
                          columns=columns, union=True)]
    elif hub_id:
        hub = HubSource(path=hub_id, config=config, splits={split: split}, columns=columns)
    else:
        raise StiltsError("pass --data-files PATH(S) or a hub id")
    return TaskSpec(name="custom", kind=kind, description="user dataset by column mapping", role="intermediate",
                    benchmark="custom", metric="accuracy", languages=[lang], splits=[split], labels=labels,
                    train_language=lang, hub=hub, layouts=layouts)


def load_custom(columns: str | dict, labels: str | list[str] | None = None, *, data_files: list[str] | None = None,
                hub_id: str | None = None, config: str | None = None, split: str = "train", lang: str = "en",
                kind: str | None = None, cache_dir: str | None = None) -> Dataset:
    cols = parse_columns(columns) if isinstance(columns, str) else columns
    names = [x.strip() for x in labels.split(",")] if isinstance(labels, str) else labels
    spec = custom_spec(cols, names, data_files=data_files, hub_id=hub_id, config=config, split=split, lang=lang,
                       kind=kind)
    source = "data-dir" if data_files else "hub"
    return load(spec, split, lang, source=source, data_dir="/" if data_files else None, cache_dir=cache_dir)
