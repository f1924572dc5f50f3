"""Perturb rows with each `--perturb` method; perturbed rows are added beside the originals (or replace them,
`keep_original: false`). A perturbed row keeps `orig_id` and the label, gets `id = <id>~<method><n>` and
`perturbation = name:params`. Which fields change: pairs `side` a, b or both; single text; multiple choice the
context and question; span QA the question only (the answer span must stay valid); retrieval the query.
Tagging rows are not perturbed (counted as not applicable)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from datasets import Dataset, DatasetDict

from advmine.config import BuildConfig
from advmine.perturbations import PerturbSpec, label_preserving, make_perturbation, parse
from advmine.pipeline import Shared, Step, StepStats
from advmine.steps.load import LoadStep
from advmine.translators.config import TranslatorConfig
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task


class PerturbStep(Step):
    name = "perturb"

    @dataclass(frozen=True)
    class Config:
        task: str
        perturb: tuple[PerturbSpec, ...]   # parsed: every parameter, defaults included
        keep_original: bool
        seed: int
        langs: tuple[str, ...]
        src_lang: str
        include_source: bool               # else English-only methods start from the source rows, re-loaded:
        source: LoadStep.Config
        langid: bool                       # and get empty langid columns when the build checks languages
        translator: TranslatorConfig       # code-switching reads the build's lexicons

    config: Config

    @classmethod
    def configure(cls, cfg: BuildConfig) -> PerturbStep.Config:
        return cls.Config(cfg.task, tuple(parse(p) for p in cfg.perturb), cfg.keep_original, cfg.seed,
                          tuple(cfg.langs), cfg.src_lang, cfg.include_source, LoadStep.configure(cfg),
                          cfg.langid != "off", cfg.translator)

    @classmethod
    def wanted(cls, cfg: BuildConfig) -> bool:
        return bool(cfg.perturb)

    def inputs(self) -> list[Path]:
        """The lexicons code-switching reads: those of the languages it switches into."""
        from advmine.translators.dictionary import DictionaryTranslator

        c = self.config
        langs = [x for s in c.perturb if s.name == "codeswitch" for x in (s.params.get("langs") or c.langs)
                 if x != c.src_lang]
        if not langs:
            return []
        dictionary = DictionaryTranslator(dataclasses.replace(c.translator, name="dictionary"))
        return list(dict.fromkeys(p for lang in dict.fromkeys(langs) for p in dictionary.inputs(lang)))

    @classmethod
    def card(cls, stats: StepStats, config: PerturbStep.Config) -> list[str]:
        lines = ["", "## Perturbations", "", "| split | method | candidates | changed | unchanged | not applicable |",
                 "|---|---|---|---|---|---|"]
        for split, per in stats.info.items():
            if split == "label_preserving":
                continue
            for method, d in per.items():
                lines.append(f"| {split} | `{method}` | {d['candidates']} | {d['changed']} | {d['unchanged']} | "
                             f"{d['not_applicable']} |")
        lines += ["", "Labels are preserved by construction:"]
        return lines + [f"- `{name}`: {why}." for name, why in stats.info.get("label_preserving", {}).items()]

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared) -> DatasetDict:
        c = self.config
        kind = get_kind(get_task(c.task).kind)
        methods = [(s, make_perturbation(s, list(c.langs), c.src_lang, c.translator)) for s in c.perturb]
        stats.info["label_preserving"] = {s.name: label_preserving(s.name) for s in c.perturb}
        # Methods defined on English only (codeswitch, wordnet) start from the English source of each example
        # when the build does not keep English rows itself.
        needs_english = any(m.english_only for _, m in methods) and not c.include_source
        english = self._english_rows() if needs_english else {}
        out = {}
        for split, ds in data.items():
            rows = ds.to_list()
            built = list(rows) if c.keep_original else []
            for spec, method in methods:
                pool = english[split] if method.english_only and english else rows
                counts = {"candidates": 0, "changed": 0, "unchanged": 0, "not_applicable": 0}
                memo: dict[tuple[str, int], str] = {}
                fields = kind.perturb_fields(spec.params.get("side", "both"))
                for row in pool:
                    if not fields or not method.applies_to(row["lang"]):
                        counts["not_applicable"] += 1
                        continue
                    for v in range(spec.params.get("n", 1)):
                        counts["candidates"] += 1
                        new = dict(row)
                        for f in fields:
                            key = (row[f], v)
                            if key not in memo:
                                memo[key] = method.perturb(row[f], v, c.seed) if row[f] else row[f]
                            new[f] = memo[key]
                        if all(new[f] == row[f] for f in fields):
                            counts["unchanged"] += 1
                            continue
                        counts["changed"] += 1
                        new.update(id=f"{row['id']}~{spec.name}{v}", perturbation=spec.label())
                        built.append(new)
                stats.info.setdefault(split, {})[spec.label()] = counts
            out[split] = Dataset.from_list(built, features=ds.features)
        return DatasetDict(out)

    def _english_rows(self) -> dict[str, list[dict]]:
        """The English source of every example, in the output schema (for methods that start from English)."""
        c = self.config
        source = LoadStep(c.source, self.ctx).run(None, StepStats("load"))
        extra = {"src_lang": c.src_lang, "translator": "source", "model_id": "", "perturbation": "none"}
        if c.langid:
            extra.update(langid=None, langid_ok=None)  # code-switched on purpose: not language-checked
        return {split: [{**r, **extra, "orig_id": r["id"]} for r in ds.to_list()] for split, ds in source.items()}
