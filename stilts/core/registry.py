"""One registry shape for every pluggable thing (translators, embedders, perturbations, selectors, metrics, file
formats): a name, an optional typed config, a factory, the capabilities it needs and a one-line doc.

Factories may be "module:attr" strings, resolved on first use, so that declaring an entry never imports a heavy
library (torch, TextAttack) and a package's registry never has to import its own implementations (no cycles).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from stilts.core.config_check import from_mapping
from stilts.core.errors import StiltsError, unknown


@dataclass(frozen=True)
class Entry:
    name: str
    factory: Callable[..., Any] | str           # a callable, or "package.module:attr" imported on first use
    config: type | None = None                  # the entry's typed options (a dataclass), when it has any
    needs: frozenset[str] = frozenset()         # capability words the caller must provide, e.g. "vectors"
    doc: str = ""                               # one line, for listings and --help
    meta: Mapping[str, Any] = field(default_factory=dict)   # what only this registry's entries carry

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", frozenset(self.needs))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    def load(self) -> Callable[..., Any]:
        """The factory itself, importing its module the first time a string names it."""
        if callable(self.factory):
            return self.factory
        module, sep, attr = self.factory.partition(":")
        if not sep or not module or not attr:
            raise StiltsError(f"registry entry {self.name!r}: factory {self.factory!r} is not 'module:attr'")
        return getattr(importlib.import_module(module), attr)

    def make(self, *args: Any, **kwargs: Any) -> Any:
        return self.load()(*args, **kwargs)

    def config_from(self, data: Mapping[str, Any], where: str | None = None) -> Any:
        """The entry's typed config from a mapping; every bad key, missing key and wrong type in one error."""
        if self.config is None:
            if data:
                raise StiltsError(f"invalid {where or self.name}: {self.name} takes no options "
                                  f"(got: {', '.join(map(str, data))})")
            return None
        return from_mapping(self.config, dict(data), where or self.name)


class Registry:
    """Entries by name, in the order they were added; `get` answers a typo with 'did you mean'."""

    def __init__(self, what: str):
        self.what = what
        self._entries: dict[str, Entry] = {}

    def add(self, entry: Entry) -> Entry:
        if entry.name in self._entries:
            raise StiltsError(f"{self.what} {entry.name!r} is registered twice")
        self._entries[entry.name] = entry
        return entry

    def register(self, name: str, *, config: type | None = None, needs: frozenset[str] | set[str] = frozenset(),
                 doc: str = "", **meta: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator form of `add` for factories defined where the registry is."""
        def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.add(Entry(name, fn, config, frozenset(needs), doc or (fn.__doc__ or "").strip().split("\n")[0],
                           meta))
            return fn
        return deco

    def get(self, name: str) -> Entry:
        if name not in self._entries:
            raise unknown(self.what, name, sorted(self._entries))
        return self._entries[name]

    def make(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self.get(name).make(*args, **kwargs)

    def names(self) -> list[str]:
        return list(self._entries)

    def entries(self) -> list[Entry]:
        return list(self._entries.values())

    def needing(self, word: str) -> set[str]:
        return {e.name for e in self._entries.values() if word in e.needs}

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.what!r}: {', '.join(self._entries)})"
