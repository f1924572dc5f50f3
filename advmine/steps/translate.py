"""Translate every row into every target language: one output row per (example, language), with provenance.

All distinct source strings of a split are translated once per language, through the persistent cache: only
strings the cache lacks reach the model, in chunks committed as they finish (a killed build resumes there).
Under `accelerate launch` each process translates a strided share of the missing strings, then all read the
cache.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from datasets import Dataset, DatasetDict, Features, Value, concatenate_datasets
from tqdm.auto import tqdm

from advmine.cache import TranslationCache, cache_key
from advmine.config import BuildConfig
from advmine.pipeline import Context, Shared, Step, StepStats
from advmine.translators import make_translator
from advmine.translators.base import cache_id, translator_inputs
from advmine.translators.config import TranslatorConfig
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task

PROVENANCE = {"orig_id": Value("string"), "src_lang": Value("string"), "translator": Value("string"),
              "model_id": Value("string"), "perturbation": Value("string")}
CHUNK = 256  # strings per model call and cache commit


def output_features(kind: str, labels: list[str] | None) -> Features:
    return Features({**get_kind(kind).features(labels), **PROVENANCE})


class TranslateStep(Step):
    name = "translate"

    @dataclass(frozen=True)
    class Config:
        task: str
        langs: tuple[str, ...]
        src_lang: str
        include_source: bool
        seed: int
        translator: TranslatorConfig   # every field, dtype and max_tokens included

    config: Config

    @classmethod
    def configure(cls, cfg: BuildConfig) -> TranslateStep.Config:
        return cls.Config(cfg.task, tuple(cfg.langs), cfg.src_lang, cfg.include_source, cfg.seed, cfg.translator)

    def __init__(self, config: TranslateStep.Config, ctx: Context | None = None):
        super().__init__(config, ctx)
        self.spec = get_task(config.task)
        self.translator = make_translator(config.translator)

    def inputs(self) -> list[Path]:
        return list(dict.fromkeys(p for lang in self.config.langs for p in translator_inputs(self.translator, lang)))

    @classmethod
    def card(cls, stats: StepStats, config: TranslateStep.Config) -> list[str]:
        lines = ["", "## Translation per language", "",
                 "| split | lang | model | strings | cache hits | model calls | coverage | rows "
                 "| dropped (QA answer not found) |",
                 "|---|---|---|---|---|---|---|---|---|"]
        for split, per_lang in stats.info.items():
            for lang, d in per_lang.items():
                cov = f"{d['coverage']:.1%}" if "coverage" in d else "-"
                lines.append(f"| {split} | {lang} | {d['model_id']} | {d['strings']} | {d['cache_hits']} | "
                             f"{d['model_calls']} | {cov} | {d['rows']} | {d.get('dropped_answer_not_found', 0)} |")
        from advmine.parallel import runs

        notes = []
        for split, per_lang in stats.info.items():
            for lang, d in per_lang.items():
                notes += [f"- {split}/{lang}: {n} rows dropped ({k[len('dropped_'):]})" for k, n in d.items()
                          if k.startswith("dropped_") and k != "dropped_answer_not_found"]
                notes += [f"- {split}/{lang}: human translations of {k} rows {runs(v['whole'])} (whole examples)"
                          + (f"; texts shared with rows {runs(v['partly'])}" if v["partly"] else "")
                          for k, v in d.get("used_rows", {}).items()]
        lines += [""] + notes if notes else []
        return lines + ["", "Coverage is the share of English words (punctuation aside) that the dictionaries cover "
                        "(dictionary translator only); uncovered words are kept in English."]

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared) -> DatasetDict:
        import torch

        torch.manual_seed(self.config.seed)
        kind = get_kind(self.spec.kind)
        kind.check_translator(self.spec.name, self.translator)
        cache = TranslationCache(self.ctx.cache_dir)
        out = {}
        for split, ds in data.items():
            rows = ds.to_list()
            strings = list(dict.fromkeys(s for r in rows for s in kind.texts_to_translate(r) if s))
            parts = [self._source_rows(rows)] if self.config.include_source else []
            for lang in self.config.langs:
                mapping, info = self._translate_all(strings, lang, cache)
                untranslated = {s for s, t in mapping.items() if t is None}
                missing = getattr(self.translator, "missing_reason", "untranslated")
                used = getattr(self.translator, "used", None)   # the reference translator: rows it drew on
                built, kept = [], []
                for r in tqdm(rows, desc=f"rebuild {split}/{lang}", leave=False, mininterval=2):
                    if untranslated and any(s in untranslated for s in kind.texts_to_translate(r)):
                        new, reason = None, missing   # a text the translator has no output for (no reference)
                    else:
                        new, reason = kind.rebuild(r, mapping)
                    if new is None:
                        stats.drop(f"{reason}:{lang}")
                        info["dropped_" + reason] = info.get("dropped_" + reason, 0) + 1
                        continue
                    built.append(self._provenance(new, r, lang, info["model_id"]))
                    if used:
                        kept += kind.texts_to_translate(r)
                info["rows"] = len(built)
                if used:   # benchmark rows whose human translations became training text (stilts.compare.eval_overlap)
                    info["used_rows"] = used(list(dict.fromkeys(kept)), lang)
                stats.info.setdefault(split, {})[lang] = info
                parts.append(Dataset.from_list(built, features=output_features(self.spec.kind, self.spec.labels)))
            out[split] = concatenate_datasets(parts) if parts else ds
        cache.close()
        return DatasetDict(out)

    def _translate_all(self, strings: list[str], lang: str, cache: TranslationCache) -> tuple[dict[str, str], dict]:
        from accelerate import PartialState

        t0 = time.perf_counter()
        tr, model_id = self.translator, self.translator.model_id(lang)
        keys = [cache_key(tr.name, cache_id(tr, lang), self.config.src_lang, lang, s) for s in strings]
        found = cache.get_many(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        state = PartialState()
        mine = missing[state.process_index::state.num_processes]
        chunks = [mine[i:i + CHUNK] for i in range(0, len(mine), CHUNK)]
        for chunk in tqdm(chunks, desc=f"translate {lang}", disable=not chunks or not state.is_main_process):
            outputs = tr.translate([strings[i] for i in chunk], lang, self.config.src_lang)
            cache.put_many((keys[i], tr.name, model_id, lang, strings[i], o) for i, o in zip(chunk, outputs)
                           if o is not None)   # None: no output for this text (asked again next time, cheaply)
        state.wait_for_everyone()
        if missing:
            found = cache.get_many(keys)
        info = {"model_id": model_id, "strings": len(strings), "cache_hits": len(strings) - len(missing),
                "model_calls": len(mine), "seconds": round(time.perf_counter() - t0, 3)}
        cov = tr.coverage(strings, lang)
        if cov:
            info["coverage"] = round(cov["covered"] / max(cov["words"], 1), 4)
        return {s: found.get(k) for s, k in zip(strings, keys)}, info

    def _provenance(self, new: dict, row: dict, lang: str, model_id: str) -> dict:
        new.update(id=f"{row['id']}-{lang}", orig_id=row["id"], src_lang=self.config.src_lang, lang=lang,
                   translator=self.translator.name, model_id=model_id, perturbation="none")
        return new

    def _source_rows(self, rows: list[dict]) -> Dataset:
        built = [dict(r, orig_id=r["id"], src_lang=self.config.src_lang, translator="source", model_id="",
                      perturbation="none") for r in rows]
        return Dataset.from_list(built, features=output_features(self.spec.kind, self.spec.labels))
