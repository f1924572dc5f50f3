"""Translate every row into every target language: one output row per (example, language), with provenance.

All distinct source strings of a split are translated once per language, through the persistent cache: only
strings the cache lacks reach the model, in chunks committed as they finish (a killed build resumes there).
Under `accelerate launch` each process translates a strided share of the missing strings, then all read the
cache.
"""
from __future__ import annotations

import time

from datasets import Dataset, DatasetDict, Features, Value, concatenate_datasets
from tqdm.auto import tqdm

from advmine.cache import TranslationCache, cache_key
from advmine.config import BuildConfig
from advmine.pipeline import Step, StepStats
from advmine.translators import make_translator
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task

PROVENANCE = {"orig_id": Value("string"), "src_lang": Value("string"), "translator": Value("string"),
              "model_id": Value("string"), "perturbation": Value("string")}
CHUNK = 256  # strings per model call and cache commit


def output_features(kind: str, labels: list[str] | None) -> Features:
    return Features({**get_kind(kind).features(labels), **PROVENANCE})


class TranslateStep(Step):
    name = "translate"

    def __init__(self, cfg: BuildConfig):
        self.cfg = cfg
        self.spec = get_task(cfg.task)
        self.translator = make_translator(cfg.translator)

    def config(self) -> dict:
        t = self.cfg.translator
        return {"langs": self.cfg.langs, "include_source": self.cfg.include_source, "translator": t.name,
                "model_ids": {lang: self.translator.model_id(lang) for lang in self.cfg.langs},
                "num_beams": t.num_beams, "max_new_tokens": t.max_new_tokens, "seed": self.cfg.seed}

    def run(self, data: DatasetDict | None, stats: StepStats) -> DatasetDict:
        import torch

        torch.manual_seed(self.cfg.seed)
        kind = get_kind(self.spec.kind)
        kind.check_translator(self.spec.name, self.translator)
        cache = TranslationCache(self.cfg.cache_dir)
        out = {}
        for split, ds in data.items():
            rows = ds.to_list()
            strings = list(dict.fromkeys(s for r in rows for s in kind.texts_to_translate(r) if s))
            parts = [self._source_rows(rows)] if self.cfg.include_source else []
            for lang in self.cfg.langs:
                mapping, info = self._translate_all(strings, lang, cache)
                built = []
                for r in tqdm(rows, desc=f"rebuild {split}/{lang}", leave=False, mininterval=2):
                    new, reason = kind.rebuild(r, mapping)
                    if new is None:
                        stats.drop(f"{reason}:{lang}")
                        info["dropped_" + reason] = info.get("dropped_" + reason, 0) + 1
                        continue
                    built.append(self._provenance(new, r, lang, info["model_id"]))
                info["rows"] = len(built)
                stats.info.setdefault(split, {})[lang] = info
                parts.append(Dataset.from_list(built, features=output_features(self.spec.kind, self.spec.labels)))
            out[split] = concatenate_datasets(parts) if parts else ds
        cache.close()
        return DatasetDict(out)

    def _translate_all(self, strings: list[str], lang: str, cache: TranslationCache) -> tuple[dict[str, str], dict]:
        from accelerate import PartialState

        t0 = time.perf_counter()
        tr, model_id = self.translator, self.translator.model_id(lang)
        keys = [cache_key(tr.name, model_id, self.cfg.src_lang, lang, s) for s in strings]
        found = cache.get_many(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        state = PartialState()
        mine = missing[state.process_index::state.num_processes]
        chunks = [mine[i:i + CHUNK] for i in range(0, len(mine), CHUNK)]
        for chunk in tqdm(chunks, desc=f"translate {lang}", disable=not chunks or not state.is_main_process):
            outputs = tr.translate([strings[i] for i in chunk], lang, self.cfg.src_lang)
            cache.put_many((keys[i], tr.name, model_id, lang, strings[i], o) for i, o in zip(chunk, outputs))
        state.wait_for_everyone()
        if missing:
            found = cache.get_many(keys)
        info = {"model_id": model_id, "strings": len(strings), "cache_hits": len(strings) - len(missing),
                "model_calls": len(mine), "seconds": round(time.perf_counter() - t0, 3)}
        cov = tr.coverage(strings, lang)
        if cov:
            info["coverage"] = round(cov["covered"] / max(cov["words"], 1), 4)
        return {s: found[k] for s, k in zip(strings, keys)}, info

    def _provenance(self, new: dict, row: dict, lang: str, model_id: str) -> dict:
        new.update(id=f"{row['id']}-{lang}", orig_id=row["id"], src_lang=self.cfg.src_lang, lang=lang,
                   translator=self.translator.name, model_id=model_id, perturbation="none")
        return new

    def _source_rows(self, rows: list[dict]) -> Dataset:
        built = [dict(r, orig_id=r["id"], src_lang=self.cfg.src_lang, translator="source", model_id="",
                      perturbation="none") for r in rows]
        return Dataset.from_list(built, features=output_features(self.spec.kind, self.spec.labels))
