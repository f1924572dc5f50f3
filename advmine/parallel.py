"""Human translations of English texts, from the parallel benchmark files a build can read: XNLI's and PAWS-X's
dev/test sets (each language's file is a professional translation of the English file, row for row) and the
Tatoeba pairs. They are the references every build's translations are scored against (advmine.quality), and
the `reference` translator's output (the oracle).

A text is matched on its English side exactly, after whitespace normalisation. When one English text has several
different translations (Tatoeba repeats sentences), the first in table order (benchmark, split, row) is kept and
the others are counted. Each reference remembers where it came from (benchmark, split, 0-based row), so that a
build that trains on human translations can record which evaluation rows it used."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from stilts.core.errors import StiltsError


def normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class ParallelSource:
    """A benchmark whose non-English rows translate its English rows."""
    name: str
    task: str                              # the registry task that loads its files
    splits: tuple[str, ...]
    aligned: bool                          # row i of every language translates English row i (XNLI, PAWS-X)
    fields: tuple[str, ...] = ()           # aligned: the text fields translated
    pair: tuple[str, str] = ("", "")       # not aligned: (English field, translation field) of one row (Tatoeba)


SOURCES: dict[str, ParallelSource] = {s.name: s for s in (
    ParallelSource("xnli", "xnli", ("dev", "test"), True, ("text_a", "text_b")),
    ParallelSource("pawsx", "pawsx", ("dev", "test"), True, ("text_a", "text_b")),
    ParallelSource("tatoeba", "tatoeba", ("test",), False, pair=("target", "query")),
)}


@dataclass(frozen=True)
class Reference:
    text: str                              # the human translation
    benchmark: str
    split: str
    row: int                               # 0-based row of the benchmark's split file


@dataclass
class LanguageReferences:
    """Every reference into one language: normalised English -> Reference, and what was read."""
    lang: str
    table: dict[str, Reference] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)        # "xnli/dev (2490 rows)", ...
    missing: list[str] = field(default_factory=list)     # "pawsx/dev: no file for sw", ...
    conflicts: int = 0                                   # English texts with another, different translation
    rows: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)   # "xnli/dev" -> each row's English texts

    def get(self, text: str) -> Reference | None:
        return self.table.get(normalise(text))


def parse_names(names: str | list[str] | None) -> list[str]:
    """'auto' or None: every benchmark; else a comma list or list of SOURCES names (unknown: one line)."""
    if names in (None, "auto"):
        return list(SOURCES)
    items = [x.strip() for x in names.split(",")] if isinstance(names, str) else list(names)
    for n in items:
        if n not in SOURCES:
            from stilts.core.errors import unknown
            raise unknown("parallel benchmark", n, list(SOURCES))
    return [n for n in items if n]


def _rows(task: str, split: str, lang: str, source: str, data_dir: str | None) -> list[dict]:
    from stilts.core.tasks import load

    return load(task, split, lang, source=source, data_dir=data_dir).to_list()


@functools.lru_cache(maxsize=64)
def references(lang: str, names: tuple[str, ...], source: str, data_dir: str | None) -> LanguageReferences:
    """The references into `lang` of the named benchmarks, read from `source` (data-dir, kit or hub). A benchmark
    without files for `lang` is noted, not an error: quality is scored against what exists."""
    from stilts.core.tasks import get_task

    out = LanguageReferences(lang)
    for name in names:
        src = SOURCES[name]
        spec = get_task(src.task)
        if lang not in spec.all_languages or lang == "en":
            continue
        for split in src.splits:
            try:
                tgt_rows = _rows(src.task, split, lang, source, data_dir)
                en_rows = _rows(src.task, split, "en", source, data_dir) if src.aligned else tgt_rows
            except StiltsError as e:
                out.missing.append(f"{name}/{split}: {str(e).splitlines()[0][:160]}")
                continue
            if src.aligned and len(en_rows) != len(tgt_rows):
                out.missing.append(f"{name}/{split}: {len(en_rows)} English rows but {len(tgt_rows)} in {lang}, "
                                   "not aligned")
                continue
            pairs = _pairs(src, en_rows, tgt_rows)
            texts: dict[int, list[str]] = {}
            for row, (en, _) in pairs:
                texts.setdefault(row, []).append(normalise(en))
            out.rows[f"{name}/{split}"] = [tuple(texts.get(i, ())) for i in range(len(tgt_rows))]
            for row, (en, xx) in pairs:
                key = normalise(en)
                if not key or not xx.strip():
                    continue
                had = out.table.get(key)
                if had is None:
                    out.table[key] = Reference(xx.strip(), name, split, row)
                elif normalise(had.text) != normalise(xx):
                    out.conflicts += 1
            out.read.append(f"{name}/{split} ({len(tgt_rows)} rows)")
    return out


def reference_files(lang: str, names: tuple[str, ...], source: str, data_dir: str | None) -> list[Path]:
    """The local files `references` reads for `lang` (none from the hub): step keys follow their content."""
    from stilts.core.tasks import get_task, split_files

    if source == "hub":
        return []
    files: list[Path] = []
    for name in names:
        src = SOURCES[name]
        if lang == "en" or lang not in get_task(src.task).all_languages:
            continue
        for split in src.splits:
            for side in ("en", lang) if src.aligned else (lang,):
                try:
                    _, found = split_files(src.task, split, side, source=source, data_dir=data_dir)
                except StiltsError:
                    continue
                files += [Path(f) for f in found if Path(f).is_file()]
    return list(dict.fromkeys(files))


def _pairs(src: ParallelSource, en_rows: list[dict], tgt_rows: list[dict]) -> list[tuple[int, tuple[str, str]]]:
    if src.aligned:
        return [(i, (e[f], t[f])) for i, (e, t) in enumerate(zip(en_rows, tgt_rows)) for f in src.fields]
    en_field, tgt_field = src.pair
    return [(i, (t[en_field], t[tgt_field])) for i, t in enumerate(tgt_rows)]


def spans(rows: list[int]) -> list[list[int]]:
    """Sorted row numbers as [first, last] runs: what a build records of the evaluation rows it used."""
    out: list[list[int]] = []
    for r in sorted(set(rows)):
        if out and r == out[-1][1] + 1:
            out[-1][1] = r
        else:
            out.append([r, r])
    return out


def runs(spans_: list[list[int]], most: int = 6) -> str:
    """Spans as people read them: '800-2489', '3, 7-9, ...'."""
    text = ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in spans_[:most])
    return text + (f" (+{len(spans_) - most} more runs)" if len(spans_) > most else "")


def used_rows(refs: LanguageReferences, texts: list[str]) -> dict[str, dict[str, list[list[int]]]]:
    """Which benchmark rows `texts` (English) reach, as 'benchmark/split' -> {"whole": spans, "partly": spans}. A
    row is used *whole* when every one of its texts is among them: its example, translated by hand, is training
    data. *Partly*: some texts only (XNLI repeats each premise over three rows, so rows 800-2489 share the premise
    of rows 798-799); said, but a different example."""
    have = {normalise(t) for t in texts}
    out: dict[str, dict[str, list[list[int]]]] = {}
    for key, rows in refs.rows.items():
        whole, partly = [], []
        for i, row in enumerate(rows):
            hit = [t in have for t in row]
            if row and all(hit):
                whole.append(i)
            elif any(hit):
                partly.append(i)
        if whole or partly:
            out[key] = {"whole": spans(whole), "partly": spans(partly)}
    return out
