"""Config files plus command-line overrides, shared by `advmine build` and `stilts train`: a YAML mapping,
then `key.path=value` overrides (values parsed as YAML scalars or lists, never evaluated)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from stilts.core.errors import StiltsError


def coerce(value: str) -> Any:
    """`3`, `true`, `[sw, th]` -> their YAML values; anything else stays a string."""
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError:
        return value


def parse_sets(items: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """`--set key.path=value` items -> {key.path: value}."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise StiltsError(f"--set {item!r}: expected KEY=VALUE")
        out[key] = coerce(value)
    return out


def merged_config(config_file: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The YAML file's mapping with dotted-key overrides applied (None and empty values are ignored)."""
    data: dict[str, Any] = {}
    if config_file:
        path = Path(config_file)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise StiltsError(f"--config {path}: {' '.join(str(e).split())}") from None
        if not isinstance(data, dict):
            raise StiltsError(f"--config {path}: expected a mapping of options")
    for key, value in overrides.items():
        if value is None or value == () or value == []:
            continue
        node = data
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return data
