"""Perturb rows with each `--perturb` method; perturbed rows are added beside the originals (or replace them,
`keep_original: false`). A perturbed row keeps `orig_id` and the label, gets `id = <id>~<method><n>` and
`perturbation = name:params`. Which fields change: pairs `side` a, b or both; single text; multiple choice the
context and question; span QA the question only (the answer span must stay valid); retrieval the query.
Tagging rows are not perturbed (counted as not applicable)."""
from __future__ import annotations

from datasets import Dataset, DatasetDict

from advmine.config import BuildConfig
from advmine.pipeline import Step, StepStats
from advmine.perturbations import label_preserving, make_perturbation, parse
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task


class PerturbStep(Step):
    name = "perturb"

    def __init__(self, cfg: BuildConfig):
        self.cfg = cfg
        self.specs = [parse(p) for p in cfg.perturb]
        self.kind = get_kind(get_task(cfg.task).kind)

    def config(self) -> dict:
        out = {"perturb": [s.label() for s in self.specs], "keep_original": self.cfg.keep_original,
               "seed": self.cfg.seed}
        if any(s.name == "codeswitch" for s in self.specs):  # it reads the build's lexicons
            out["lexicons"] = [self.cfg.translator.lexicon_dirs, self.cfg.translator.freedict]
        return out

    def run(self, data: DatasetDict | None, stats: StepStats) -> DatasetDict:
        cfg = self.cfg
        methods = [(s, make_perturbation(s, cfg.langs, cfg.src_lang, cfg.translator)) for s in self.specs]
        stats.info["label_preserving"] = {s.name: label_preserving(s.name) for s in self.specs}
        # Methods defined on English only (codeswitch, wordnet) start from the English source of each example
        # when the build does not keep English rows itself.
        needs_english = any(m.english_only for _, m in methods) and not self.cfg.include_source
        english = self._english_rows() if needs_english else {}
        out = {}
        for split, ds in data.items():
            rows = ds.to_list()
            built = list(rows) if self.cfg.keep_original else []
            for spec, method in methods:
                pool = english[split] if method.english_only and english else rows
                counts = {"candidates": 0, "changed": 0, "unchanged": 0, "not_applicable": 0}
                memo: dict[tuple[str, int], str] = {}
                fields = self.kind.perturb_fields(spec.params.get("side", "both"))
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
                                memo[key] = method.perturb(row[f], v, self.cfg.seed) if row[f] else row[f]
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
        from advmine.pipeline import StepStats as _S
        from advmine.steps.load import LoadStep

        source = LoadStep(self.cfg).run(None, _S("load"))
        extra = {"src_lang": self.cfg.src_lang, "translator": "source", "model_id": "",
                 "perturbation": "none"}
        if self.cfg.langid != "off":
            extra.update(langid=None, langid_ok=None)  # code-switched on purpose: not language-checked
        return {split: [{**r, **extra, "orig_id": r["id"]} for r in ds.to_list()] for split, ds in source.items()}
