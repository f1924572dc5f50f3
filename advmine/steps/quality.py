"""Score every translated row: chrF++ against its human translation where a parallel benchmark holds one
(advmine.parallel), the untranslated English source's chrF++ against the same reference (the copy baseline), a
round trip through the translator's reverse direction where no reference exists, the share of English words
kept, the target/source length ratio and language-ID agreement. Corpus chrF++ and BLEU per language go into
stats.json, the card and `advmine inspect`; each row gets `quality_chrf`, `quality_copy_chrf`,
`quality_roundtrip` and `quality_ok`, and rows below the floor are flagged or dropped (`--quality`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from datasets import DatasetDict

from advmine.adequacy import english_kept
from advmine.config import BuildConfig
from advmine.parallel import parse_names, reference_files, references, used_rows
from advmine.pipeline import Context, Shared, Step, StepStats
from advmine.quality import below_floor, corpus_scores, row_chrf
from advmine.steps.load import LoadStep
from advmine.translators import make_translator
from advmine.translators.config import TranslatorConfig
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task

# A language's output counts as no better than a copy of the English when its chrF++ is within NO_BETTER points
# of the copy's, or when more than MOSTLY_ENGLISH of its words are words of the English source (Thai through the
# kit's synthetic lexicon: chrF++ 3.5 against the copy's 2.0 on XNLI dev rows 800-839, 86% of its words English).
NO_BETTER = 2.0
MOSTLY_ENGLISH = 0.5


class QualityStep(Step):
    name = "quality"

    @dataclass(frozen=True)
    class Config:
        task: str
        mode: str
        references: tuple[str, ...]
        floor: str | float
        roundtrip: bool
        src_lang: str
        source: str
        data_dir: str | None
        translator: TranslatorConfig
        load: LoadStep.Config          # the English source rows, re-read (their texts are what was translated)
        langs: tuple[str, ...] = ()

    config: Config

    @classmethod
    def configure(cls, cfg: BuildConfig) -> QualityStep.Config:
        q = cfg.quality
        own = getattr(make_translator(cfg.translator), "reference_names", None)   # the oracle scores on its own references
        return cls.Config(cfg.task, q.mode, tuple(own or parse_names(q.references)), q.floor, q.roundtrip, cfg.src_lang,
                          cfg.source, cfg.data_dir, cfg.translator, LoadStep.configure(cfg), tuple(cfg.langs))

    @classmethod
    def wanted(cls, cfg: BuildConfig) -> bool:
        return cfg.quality.mode != "off" and any(lang != cfg.src_lang for lang in cfg.langs)

    def __init__(self, config: QualityStep.Config, ctx: Context | None = None):
        super().__init__(config, ctx)
        self.translator = make_translator(config.translator)   # once per build: round trips and limit notes

    def inputs(self) -> list[Path]:
        """The source's files and the reference files scored against: an edited reference rescoring the build."""
        c = self.config
        refs = [p for lang in c.langs for p in reference_files(lang, c.references, c.source, c.data_dir)]
        return list(dict.fromkeys([*LoadStep(c.load, self.ctx).inputs(), *refs]))

    @classmethod
    def card(cls, stats: StepStats, config: QualityStep.Config) -> list[str]:
        from advmine.quality_report import card_lines

        return card_lines(stats.info, config.mode, config.floor)

    def run(self, data: DatasetDict | None, stats: StepStats, shared: Shared) -> DatasetDict:
        c = self.config
        kind = get_kind(get_task(c.task).kind)
        sources = {split: {r["id"]: r for r in ds.to_list()}
                   for split, ds in LoadStep(c.load, self.ctx).run(None, StepStats("load")).items()}
        out = {}
        for split, ds in data.items():
            rows = ds.to_list()
            cols = {k: [None] * len(rows) for k in ("quality_chrf", "quality_copy_chrf", "quality_roundtrip")}
            ok = [True] * len(rows)
            by_lang: dict[str, list[int]] = {}
            for i, r in enumerate(rows):
                if r["lang"] != c.src_lang and r.get("translator") != "source":
                    by_lang.setdefault(r["lang"], []).append(i)
            info = {}
            for lang, idx in by_lang.items():
                group = [rows[i] for i in idx]
                src = [sources[split].get(r["orig_id"]) for r in group]
                d, per_row = self._score(group, src, lang, kind.texts_to_embed)
                for j, i in enumerate(idx):
                    for k in cols:
                        cols[k][i] = per_row[k][j]
                    ok[i] = per_row["ok"][j]
                if "langid_ok" in ds.column_names:
                    d["langid_agreement"] = round(float(np.mean([rows[i]["langid_ok"] for i in idx])), 4)
                info[lang] = d
                if d.get("warning"):
                    stats.info.setdefault("warnings", []).append(d["warning"])
            stats.info[split] = info
            for k, v in cols.items():
                ds = ds.add_column(k, v, feature=_float())
            ds = ds.add_column("quality_ok", ok)
            if c.mode == "drop":
                for lang, d in info.items():
                    stats.drop(f"quality_below_floor:{lang}", d["below_floor"])
                ds = ds.filter(lambda x: x, input_columns="quality_ok", desc="drop rows below the quality floor")
            out[split] = ds
        return DatasetDict(out)

    def _score(self, group: list[dict], src: list[dict | None], lang: str, texts_of) -> tuple[dict, dict]:
        c = self.config
        refs = references(lang, c.references, c.source, c.data_dir)
        n = len(group)
        per_row = {"quality_chrf": [None] * n, "quality_copy_chrf": [None] * n, "quality_roundtrip": [None] * n,
                   "ok": [True] * n}
        hyp, ref, copy, back_rows = [], [], [], []
        for j, (r, s) in enumerate(zip(group, src)):
            if s is None:
                continue
            a, b = texts_of(s), texts_of(r)
            matched = [refs.get(t) for t in a]
            if len(a) == len(b) and matched and all(m is not None for m in matched):
                rt = [m.text for m in matched]
                per_row["quality_chrf"][j] = row_chrf(b, rt)
                per_row["quality_copy_chrf"][j] = row_chrf(a, rt)
                hyp += b
                ref += rt
                copy += a
            elif len(a) == len(b):
                back_rows.append(j)
        d: dict = {"rows": n, "reference": {"rows": sum(v is not None for v in per_row["quality_chrf"]),
                                            "read": refs.read, "missing": refs.missing, "conflicts": refs.conflicts,
                                            "used": used_rows(refs, copy), **corpus_scores(hyp, ref, lang)}}
        if hyp:
            cp = corpus_scores(copy, ref, lang)
            d["reference"]["copy_chrf"], d["reference"]["copy_bleu"] = cp["chrf"], cp["bleu"]
        self._roundtrip(group, src, back_rows, lang, texts_of, per_row, d)
        kept, same = english_kept(group, src, texts_of)
        d["english_kept"] = _mean(kept)
        d["identical"] = round(float(same.mean()), 4) if n else None
        lens = [(sum(len(t) for t in texts_of(r)), sum(len(t) for t in texts_of(s)))
                for r, s in zip(group, src) if s is not None]
        d["length_ratio"] = round(sum(x for x, _ in lens) / max(sum(y for _, y in lens), 1), 3) if lens else None
        judged = [below_floor(per_row["quality_chrf"][j] if per_row["quality_chrf"][j] is not None
                              else per_row["quality_roundtrip"][j], per_row["quality_copy_chrf"][j], c.floor)
                  for j in range(n)]
        per_row["ok"] = [b is not True for b in judged]
        d["below_floor"] = sum(b is True for b in judged)
        d["unjudged"] = sum(b is None for b in judged)
        own = getattr(self.translator, "offline_limit", None)   # what it cannot do offline (no dictionary)
        d["limit"] = own(lang) if own else None
        r = d["reference"]
        kept = d["english_kept"]
        if hyp and (r["chrf"] <= r["copy_chrf"] + NO_BETTER or (kept or 0) > MOSTLY_ENGLISH):
            d["warning"] = (f"{lang}: the {c.translator.name} translations are no better than a copy of the English: "
                            f"chrF++ {r['chrf']} against {r['segments']} human references (the copy: "
                            f"{r['copy_chrf']}), {kept:.0%} of their words English"
                            + (f"; {d['limit']}" if d["limit"] else ""))
        return d, per_row

    def _roundtrip(self, group, src, back_rows, lang, texts_of, per_row, d) -> None:
        """Round-trip chrF++ of the rows without a reference, when the translator reads `lang` back (cached)."""
        from advmine.translators.base import can_translate_back

        c = self.config
        tr = self.translator
        if not (c.roundtrip and back_rows and can_translate_back(tr, lang)):
            return
        texts = list(dict.fromkeys(t for j in back_rows for t in texts_of(group[j])))
        back = dict(zip(texts, _translate_back(tr, texts, lang, self.ctx.cache_dir)))
        hyp, ref = [], []
        for j in back_rows:
            b, a = [back[t] for t in texts_of(group[j])], texts_of(src[j])
            per_row["quality_roundtrip"][j] = row_chrf(b, a)
            hyp += b
            ref += a
        scores = corpus_scores(hyp, ref, "en")
        d["roundtrip"] = {"rows": len(back_rows), "chrf": scores["chrf"], "bleu": scores["bleu"],
                          "segments": scores["segments"], "via": getattr(tr, "back_id", lambda x: f"{x}->en")(lang)}


def _translate_back(tr, texts: list[str], lang: str, cache_dir: str | None) -> list[str]:
    from advmine.cache import TranslationCache, cache_key
    from advmine.translators.base import back_cache_id, translate_back

    cache, model = TranslationCache(cache_dir), back_cache_id(tr, lang)
    keys = [cache_key(tr.name, model, lang, "en", t) for t in texts]
    found = cache.get_many(keys)
    missing = [i for i, k in enumerate(keys) if k not in found]
    for start in range(0, len(missing), 256):
        chunk = missing[start:start + 256]
        outs = translate_back(tr, [texts[i] for i in chunk], lang)
        cache.put_many((keys[i], tr.name, model, "en", texts[i], o) for i, o in zip(chunk, outs))
        found.update({keys[i]: o for i, o in zip(chunk, outs)})
    cache.close()
    return [found[k] for k in keys]


def _mean(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)]
    return round(float(x.mean()), 4) if len(x) else None


def _float():
    from datasets import Value
    return Value("float64")
