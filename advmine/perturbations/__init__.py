"""Perturbation registry: `--perturb NAME[:k=v,...]` (several allowed). Each entry's typed config declares its
parameters with defaults; values are parsed by the default's type and checked, never evaluated (no `eval`).
Implementations are named "module:attr", so parsing a build config imports neither TextAttack nor the lexicons.

Every factory is called as `(params, langs, src_lang, translator)`: the typed params, the build's target
languages and source language, and the build's TranslatorConfig (code-switching reads its lexicons)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from advmine.translators.config import TranslatorConfig
from stilts.core.errors import StiltsError
from stilts.core.registry import Entry, Registry

CODESWITCH = "a word replaced by its translation keeps the sentence's meaning (CoSDA-ML's premise)"
CHAR_LEVEL = "character noise inside at most pct of the words keeps the sentence readable and its meaning"
SYNONYM = "a WordNet synonym of a content word keeps the meaning (stopwords are never changed)"


@dataclass(frozen=True)
class CodeSwitchParams:
    ratio: float = 0.3                     # share of the words replaced
    side: str = "both"                     # pairs: a, b or both
    n: int = 1                             # perturbed variants per row
    langs: list[str] = field(default_factory=list)   # target languages to switch into (default: the build's)


@dataclass(frozen=True)
class SwapParams:
    pct: float = 0.1                       # at most this share of the words changed
    side: str = "both"
    n: int = 1
    langs: list[str] = field(default_factory=list)   # languages to perturb (default: per method)


@dataclass(frozen=True)
class WordNetParams(SwapParams):
    pct: float = 0.2


PERTURBATIONS = Registry("perturbation")
PERTURBATIONS.add(Entry("codeswitch", "advmine.perturbations.codeswitch:CodeSwitch", CodeSwitchParams,
                        doc="CoSDA-ML code-switching from the build's dictionaries",
                        meta={"label_preserving": CODESWITCH, "family": "dictionary"}))
for _name, _why, _params in [("char-swap", CHAR_LEVEL, SwapParams), ("char-delete", CHAR_LEVEL, SwapParams),
                             ("char-insert", CHAR_LEVEL, SwapParams), ("char-substitute", CHAR_LEVEL, SwapParams),
                             ("qwerty", CHAR_LEVEL, SwapParams), ("homoglyph", CHAR_LEVEL, SwapParams),
                             ("wordnet", SYNONYM, WordNetParams)]:
    PERTURBATIONS.add(Entry(_name, f"advmine.perturbations.textattack_swaps:{_name.replace('-', '_')}", _params,
                            doc=f"TextAttack {_name} under TextAttack constraints",
                            meta={"label_preserving": _why, "family": "textattack"}))


def defaults(entry: Entry) -> dict[str, Any]:
    """Each parameter's default, in declaration order (its type is the parameter's type)."""
    return {f.name: f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            for f in dataclasses.fields(entry.config)}


def _convert(value: str, default: Any, where: str) -> Any:
    try:
        if isinstance(default, bool):
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return value.lower() in ("true", "1")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, list):
            return [x for x in value.split("+") if x]
    except ValueError:
        raise StiltsError(f"{where}: {value!r} is not a {type(default).__name__}") from None
    return value


@dataclass(frozen=True)
class PerturbSpec:
    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        return self.name + (":" + ",".join(f"{k}={'+'.join(v) if isinstance(v, list) else v}"
                                           for k, v in sorted(self.params.items()) if v != []) if self.params else "")


def parse(text: str) -> PerturbSpec:
    """'wordnet:pct=0.2,side=b' -> PerturbSpec('wordnet', {pct: 0.2, side: 'b', ...defaults})."""
    name, _, rest = text.strip().partition(":")
    entry = PERTURBATIONS.get(name)
    known = defaults(entry)
    params = dict(known)
    for item in filter(None, (x.strip() for x in rest.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise StiltsError(f"--perturb {text}: {item!r} is not KEY=VALUE")
        if key not in known:
            raise StiltsError(f"--perturb {text}: {name} has no parameter {key!r} (has: {', '.join(known)})")
        params[key] = _convert(value, known[key], f"--perturb {text}: {key}")
    return PerturbSpec(name, params)


def make_perturbation(spec: PerturbSpec, langs: list[str], src_lang: str,
                      translator: TranslatorConfig | None = None) -> Any:
    """The perturbation `spec` names, for a build's languages and translator settings (default: the defaults)."""
    entry = PERTURBATIONS.get(spec.name)
    return entry.make(entry.config(**spec.params), langs, src_lang, translator or TranslatorConfig())


def label_preserving(name: str) -> str:
    """Why the label still holds after this perturbation (recorded in the build's stats and card)."""
    return PERTURBATIONS.get(name).meta["label_preserving"]
