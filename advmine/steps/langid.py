"""Language-ID check: is each output in its target language? `langid` (its model ships in the wheel),
restricted to the build's languages plus the source language, so short texts are not mistaken for languages
that the build never produces. Flags (`langid`, `langid_ok` columns) or drops mismatches; rates per language
go into the card."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from datasets import DatasetDict

from advmine.config import BuildConfig
from advmine.pipeline import Shared, Step, StepStats
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task


@functools.lru_cache(maxsize=8)
def _identifier(langs: tuple[str, ...]):
    from langid.langid import LanguageIdentifier, model

    ident = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    known = set(ident.nb_classes)
    ident.set_languages(sorted({x for x in langs if x in known}))
    return ident, known


def _detect(batch: dict, field: str, langs: list[str]) -> dict:
    ident, known = _identifier(tuple(langs))
    texts = [" ".join(t) if isinstance(t, list) else t for t in batch[field]]
    detected = [ident.classify(t)[0] for t in texts]
    # A language langid cannot recognise (e.g. qu) is never flagged: it cannot be checked.
    ok = [d == lang or lang not in known for d, lang in zip(detected, batch["lang"])]
    return {"langid": detected, "langid_ok": ok}


class LangIdStep(Step):
    name = "langid"

    @dataclass(frozen=True)
    class Config:
        task: str
        mode: Literal["flag", "drop"]
        langs: tuple[str, ...]      # the build's target languages and its source language: the only candidates
        src_lang: str

    config: Config

    @classmethod
    def configure(cls, cfg: BuildConfig) -> LangIdStep.Config:
        return cls.Config(cfg.task, cfg.langid, tuple(cfg.langs), cfg.src_lang)

    @classmethod
    def wanted(cls, cfg: BuildConfig) -> bool:
        return cfg.langid != "off"

    @classmethod
    def card(cls, stats: StepStats, config: LangIdStep.Config) -> list[str]:
        lines = ["", f"## Language ID (`langid`, mode: {config.mode})", "",
                 "| split | lang | rows | mismatched | rate |", "|---|---|---|---|---|"]
        for split, per_lang in stats.info.items():
            for lang, d in per_lang.items():
                lines.append(f"| {split} | {lang} | {d['rows']} | {d['mismatched']} | {d['mismatch_rate']:.1%} |")
        return lines

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared) -> DatasetDict:
        field = get_kind(get_task(self.config.task).kind).langid_field
        langs = [self.config.src_lang, *self.config.langs]
        out = {}
        for split, ds in data.items():
            ds = ds.map(_detect, batched=True, batch_size=256, fn_kwargs={"field": field, "langs": langs},
                        desc=f"langid {split}")
            per_lang: dict[str, dict] = {}
            for lang, ok in zip(ds["lang"], ds["langid_ok"]):
                d = per_lang.setdefault(lang, {"rows": 0, "mismatched": 0})
                d["rows"] += 1
                d["mismatched"] += not ok
            for d in per_lang.values():
                d["mismatch_rate"] = round(d["mismatched"] / max(d["rows"], 1), 4)
            stats.info[split] = per_lang
            if self.config.mode == "drop":
                for lang, d in per_lang.items():
                    stats.drop(f"langid_mismatch:{lang}", d["mismatched"])
                ds = ds.filter(lambda ok: ok, input_columns="langid_ok", desc="drop langid mismatches")
            out[split] = ds
        return DatasetDict(out)
