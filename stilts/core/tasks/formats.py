"""Readers for the file formats that each benchmark's authors publish, one registry entry per format.

A reader takes the resolved files of one (split, language) as `{role: Path}` (role "main" at least) and yields
`(row, record)`: `row` is what an error message should point at (a line or record number), `record` is either a
dict of the source's own columns (mapped later by the spec's `columns`) or, for structured formats, a dict that
already uses the unified field names. All text is decoded as strict UTF-8 so that a bad byte is reported with
its line, not silently replaced.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from stilts.core.errors import DataError
from stilts.core.registry import Entry, Registry

Record = dict[str, Any]
Reader = Callable[..., Iterator[tuple[int | str, Record]]]
# meta "structured": the format's records already use unified field names (no column mapping applies).
FORMATS = Registry("format")


def register(name: str, structured: bool = False, doc: str = "") -> Callable[[Reader], Reader]:
    return FORMATS.register(name, doc=doc, structured=structured)   # doc: the reader's docstring by default


def is_structured(name: str) -> bool:
    return bool(FORMATS.get(name).meta.get("structured"))


def _open_bytes(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without newline), failing on the first non-UTF-8 line."""
    with _open_bytes(path) as f:
        for n, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise DataError(path, n, None, f"not valid UTF-8 (byte {e.start}); re-encode the file as UTF-8") from None
            if n == 1:
                line = line.lstrip("\ufeff")
            yield n, line.rstrip("\r\n")


def read_text(path: Path) -> str:
    return "\n".join(line for _, line in read_lines(path))


def _load_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise DataError(path, e.lineno, None, f"malformed JSON: {e.msg}") from None


@register("tsv")
def read_tsv(files: dict[str, Path], header: bool = False, delimiter: str = "\t") -> Iterator[tuple[int, Record]]:
    """GLUE/XTREME-style TSV: no quoting; with `header`, records are keyed by column name, else by position."""
    path = files["main"]
    names: list[str] | None = None
    for n, line in read_lines(path):
        if header and names is None:
            names = line.split(delimiter)
            continue
        if not line.strip():
            continue
        cells = line.split(delimiter)
        if names is None:
            yield n, {i: c for i, c in enumerate(cells)}
        else:
            if len(cells) > len(names):
                raise DataError(path, n, None, f"{len(cells)} columns but the header has {len(names)}")
            yield n, dict(zip(names, cells))


@register("csv")
def read_csv(files: dict[str, Path]) -> Iterator[tuple[int, Record]]:
    """CSV with a header line and RFC-4180 quoting (Cosmos QA)."""
    path = files["main"]
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    try:
        for rec in reader:
            yield reader.line_num, rec
    except csv.Error as e:
        raise DataError(path, reader.line_num, None, f"malformed CSV: {e}") from None


@register("jsonl", doc="one JSON object per line")
def read_jsonl(files: dict[str, Path]) -> Iterator[tuple[int, Record]]:
    path = files["main"]
    for n, line in read_lines(path):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(path, n, None, f"malformed JSON line: {e.msg} (column {e.colno})") from None
        if not isinstance(rec, dict):
            raise DataError(path, n, None, "a JSON line must hold an object")
        yield n, rec


@register("json")
def read_json(files: dict[str, Path]) -> Iterator[tuple[int | str, Record]]:
    """A JSON list of records, or an object of records keyed by id (the PowerfulPromptFT samples)."""
    path = files["main"]
    data = _load_json(path)
    items = data.items() if isinstance(data, dict) else enumerate(data, start=1)
    for key, rec in items:
        if not isinstance(rec, dict):
            raise DataError(path, key, None, "each record must be a JSON object")
        yield key, ({"id": str(key), **rec} if isinstance(data, dict) and "id" not in rec else rec)


@register("parquet", doc="Apache Parquet, one record per row")
def read_parquet(files: dict[str, Path]) -> Iterator[tuple[int, Record]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(files["main"])
    except (pa.ArrowException, OSError) as e:
        raise DataError(files["main"], None, None, f"not a readable parquet file ({' '.join(str(e).split())[:120]})") \
            from None
    for n, rec in enumerate(table.to_pylist(), start=1):
        yield n, rec


@register("squad_json", structured=True)
def read_squad(files: dict[str, Path]) -> Iterator[tuple[str, Record]]:
    """SQuAD v1.1 JSON (SQuAD, XQuAD, MLQA, TyDiQA-GoldP): one record per question."""
    path = files["main"]
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise DataError(path, None, "data", "not SQuAD JSON: expected an object with a 'data' list")
    for a, article in enumerate(data["data"]):
        for p, para in enumerate(article.get("paragraphs", [])):
            context = para.get("context")
            for q, qa in enumerate(para.get("qas", [])):
                where = qa.get("id") or f"data[{a}].paragraphs[{p}].qas[{q}]"
                answers = qa.get("answers", [])
                if not isinstance(answers, list):
                    raise DataError(path, where, "answers", "must be a list")
                texts = [x.get("text", "") for x in answers]
                starts = [x.get("answer_start", -1) for x in answers]
                if texts and all(t == "" for t in texts):  # publisher stripped the gold answers
                    texts, starts = [], []
                for t, s in zip(texts, starts):
                    if not isinstance(s, int) or context is None or context[s:s + len(t)] != t:
                        raise DataError(path, where, "answers", f"answer {t!r} is not found at answer_start {s} of the context")
                yield where, {"id": qa.get("id"), "context": context, "question": qa.get("question"),
                              "answers": {"text": texts, "answer_start": starts}}


@register("conll_tags", structured=True)
def read_conll_tags(files: dict[str, Path], tag_column: int = 1, lang_prefix: bool = False) -> Iterator[tuple[int, Record]]:
    """XTREME tagging TSV: `token<TAB>tag` per line, a blank line between sentences (PAN-X, UD-POS).

    Raw PAN-X files prefix each token with its language (`en:Paris`); `lang_prefix` strips it.
    """
    path = files["main"]
    tokens: list[str] = []
    tags: list[str | None] = []
    start = 1
    for n, line in read_lines(path):
        if not line.strip():
            if tokens:
                yield start, {"tokens": tokens, "tags": tags}
            tokens, tags, start = [], [], n + 1
            continue
        cells = line.split("\t")
        if lang_prefix and ":" in cells[0]:
            cells[0] = cells[0].split(":", 1)[1]
        if not cells[0]:
            raise DataError(path, n, "tokens", "empty token")
        tokens.append(cells[0])
        tags.append(cells[tag_column] if len(cells) > tag_column else None)
    if tokens:
        yield start, {"tokens": tokens, "tags": tags}


@register("conllu", structured=True)
def read_conllu(files: dict[str, Path], tag_field: int = 3) -> Iterator[tuple[int, Record]]:
    """Universal Dependencies CoNLL-U: UPOS of each syntactic word; multiword-token ranges and empty nodes skipped."""
    path = files["main"]
    tokens: list[str] = []
    tags: list[str] = []
    sent_id: str | None = None
    start = 1
    for n, line in read_lines(path):
        if not line.strip():
            if tokens:
                yield start, {"id": sent_id, "tokens": tokens, "tags": tags}
            tokens, tags, sent_id, start = [], [], None, n + 1
            continue
        if line.startswith("#"):
            m = re.match(r"#\s*sent_id\s*=\s*(\S+)", line)
            if m:
                sent_id = m.group(1)
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise DataError(path, n, None, f"a CoNLL-U word line has 10 columns, found {len(cols)}")
        if "-" in cols[0] or "." in cols[0]:
            continue
        tokens.append(cols[1])
        tags.append(cols[tag_field])
    if tokens:
        yield start, {"id": sent_id, "tokens": tokens, "tags": tags}


@register("ccg_auto", structured=True)
def read_ccg_auto(files: dict[str, Path]) -> Iterator[tuple[int, Record]]:
    """CCGbank AUTO derivations: the supertag of each leaf `(<L cat POS POS word pred-arg>)` is its tag."""
    path = files["main"]
    leaf = re.compile(r"\(<L (\S+) \S+ \S+ (\S+) \S+>\)")
    sent_id: str | None = None
    for n, line in read_lines(path):
        if line.startswith("ID="):
            sent_id = line.split()[0][3:]
            continue
        if not line.strip():
            continue
        leaves = leaf.findall(line)
        if not leaves:
            raise DataError(path, n, None, "no CCG leaf nodes '(<L ...>)' on a derivation line")
        yield n, {"id": sent_id, "tokens": [w for _, w in leaves], "tags": [c for c, _ in leaves]}


@register("hellaswag_txt", structured=True)
def read_hellaswag_txt(files: dict[str, Path]) -> Iterator[tuple[int, Record]]:
    """llama.cpp's HellaSwag text: blocks of 6 lines (context, gold index, four endings)."""
    path = files["main"]
    lines = list(read_lines(path))
    if len(lines) % 6:
        raise DataError(path, len(lines), None, f"{len(lines)} lines is not a whole number of 6-line blocks")
    for i in range(0, len(lines), 6):
        n, context = lines[i]
        label = lines[i + 1][1].strip()
        if not label.isdigit():
            raise DataError(path, lines[i + 1][0], "label", f"expected the gold ending index, got {label!r}")
        yield n, {"id": str(i // 6), "context": context, "question": "",
                  "choices": [line for _, line in lines[i + 2:i + 6]], "label": int(label)}


@register("tatoeba", structured=True)
def read_tatoeba(files: dict[str, Path]) -> Iterator[tuple[int, Record]]:
    """Tatoeba (LASER): line i of the xx file translates line i of the eng file; queries are xx, targets eng."""
    src = list(read_lines(files["main"]))
    tgt = list(read_lines(files["target"]))
    if len(src) != len(tgt):
        raise DataError(files["target"], None, None, f"{len(tgt)} lines but {files['main'].name} has {len(src)}")
    for (n, q), (_, t) in zip(src, tgt):
        yield n, {"id": str(n - 1), "query": q, "target": t, "target_ids": [f"eng-{n - 1}"]}


@register("bucc", structured=True)
def read_bucc(files: dict[str, Path]) -> Iterator[tuple[int, Record]]:
    """BUCC 2018: `id<TAB>sentence` per language plus a gold file of `src-id<TAB>en-id` pairs."""
    gold: dict[str, list[str]] = {}
    if "gold" in files:
        for n, line in read_lines(files["gold"]):
            cells = line.split("\t")
            if len(cells) != 2:
                raise DataError(files["gold"], n, None, "a gold line is 'src-id<TAB>en-id'")
            gold.setdefault(cells[0], []).append(cells[1])
    english = {}
    if "target" in files:
        english = dict(_bucc_sentences(files["target"]))
    for n, line in read_lines(files["main"]):
        sid, _, text = line.partition("\t")
        targets = gold.get(sid, [])
        yield n, {"id": sid, "query": text, "target": english.get(targets[0], "") if targets else "",
                  "target_ids": targets}


def _bucc_sentences(path: Path) -> Iterator[tuple[str, str]]:
    for n, line in read_lines(path):
        sid, sep, text = line.partition("\t")
        if not sep:
            raise DataError(path, n, None, "a BUCC line is 'id<TAB>sentence'")
        yield sid, text


@register("xquad_r", structured=True)
def read_xquad_r(files: dict[str, Path], lang: str = "", languages: tuple[str, ...] = ()) -> Iterator[tuple[str, Record]]:
    """LAReQA's XQuAD-R: a question's gold answers are the sentences holding its answer in every language.

    Questions share ids across the 11 parallel files, so the gold sentence of question q in language l is found
    in l's own file (`<l>.json` beside this one); sentence ids are `<lang>:<article>.<paragraph>.<sentence>`,
    the same ids the pool uses.
    """
    path = files["main"]
    suffix = path.name[len(lang):]  # ".json" or ".json.gz"
    gold: dict[str, list[str]] = {}
    for other in [lang] + [x for x in languages if x != lang]:
        other_path = path.parent / f"{other}{suffix}"
        if not other_path.is_file():
            continue
        for qid, sent_id, _, _ in _xquad_r_answers(other_path, other):
            gold.setdefault(qid, []).append(sent_id)
    for qid, sent_id, question, sentence in _xquad_r_answers(path, lang):
        yield qid, {"id": qid, "query": question, "target": sentence, "target_ids": gold[qid]}


def _xquad_r_answers(path: Path, lang: str) -> Iterator[tuple[str, str, str, str]]:
    """(question id, id of the sentence holding its answer, question, that sentence) for one XQuAD-R file."""
    data = _load_json(path)
    for a, article in enumerate(data.get("data", [])):
        for p, para in enumerate(article.get("paragraphs", [])):
            breaks = para.get("sentence_breaks")
            if not breaks:
                raise DataError(path, f"data[{a}].paragraphs[{p}]", "sentence_breaks", "missing (is this XQuAD-R?)")
            starts = [b[0] if isinstance(b, list) else b for b in breaks]
            sentences = para.get("sentences") or []
            for qa in para.get("qas", []):
                if not qa.get("answers"):
                    raise DataError(path, qa.get("id"), "answers", "LAReQA questions need a gold answer")
                start = qa["answers"][0]["answer_start"]
                s = max((i for i, b in enumerate(starts) if b <= start), default=0)
                text = sentences[s] if s < len(sentences) else ""
                yield qa["id"], f"{lang}:{a}.{p}.{s}", qa["question"], text


def read_xquad_r_pool(path: Path, lang: str) -> Iterator[dict[str, str]]:
    data = _load_json(path)
    for a, article in enumerate(data.get("data", [])):
        for p, para in enumerate(article.get("paragraphs", [])):
            for s, sentence in enumerate(para.get("sentences", [])):
                yield {"id": f"{lang}:{a}.{p}.{s}", "lang": lang, "text": sentence}


@register("mewsli_jsonl", structured=True)
def read_mewsli(files: dict[str, Path], lang: str = "") -> Iterator[tuple[str, Record]]:
    """Mewsli-X WikiNews mentions (`wikinews_mentions-<split>.jsonl`, one article per line, its `mentions` list).

    One file holds all 11 languages; rows are kept when the article's `context.language` is `lang`.

    The query is the mention's sentence marked as XTREME-R's baseline does: `mention: left { mention } right`.
    """
    path = files["main"]
    for n, rec in read_jsonl({"main": path}):
        target = ""
        if "contextual_mention" in rec:  # wikipedia_pairs-*.jsonl: one mention per line, entity beside it
            pair = rec["contextual_mention"]
            entity = rec.get("entity") or {}
            target = entity.get("description") or ""   # the training target: the entity's description
            rec = {"context": pair.get("context"), "mentions": [pair.get("mention") or {}]}
        ctx = rec.get("context")
        if not isinstance(ctx, dict) or "text" not in ctx or not isinstance(rec.get("mentions"), list):
            raise DataError(path, n, "context", "not a Mewsli-X article line (needs context.text and mentions)")
        if lang and ctx.get("language") != lang:
            continue
        text, spans = ctx["text"], ctx.get("sentence_spans") or [{"start": 0, "end": len(ctx["text"])}]
        for m in rec["mentions"]:
            span = m.get("mention_span") or {}
            if "entity_id" not in m or "start" not in span:
                raise DataError(path, n, "mentions", "a mention needs entity_id and mention_span")
            s, e = span["start"], span["end"]
            sent = next((x for x in spans if x["start"] <= s < x["end"]), {"start": 0, "end": len(text)})
            left, mention, right = text[sent["start"]:s], text[s:e], text[e:sent["end"]]
            query = f"{mention}: {left.strip()} {{ {mention} }} {right.strip()}".strip()
            yield f"{n}:{m.get('example_id')}", {"id": m.get("example_id"), "query": query, "target": target,
                                               "target_ids": [m["entity_id"]]}


# ---- candidate pools for retrieval tasks -------------------------------------------------------------------

def pool_lines(path: Path, lang: str, prefix: str) -> Iterator[dict[str, str]]:
    for n, line in read_lines(path):
        yield {"id": f"{prefix}-{n - 1}", "lang": lang, "text": line}


POOLS = Registry("pool format")   # a retrieval layout's candidate pool: (path, lang) -> pool rows
for _entry in [
    Entry("lines", lambda path, lang: pool_lines(path, lang, "eng"), doc="one candidate per line (Tatoeba)"),
    Entry("bucc", lambda path, lang: ({"id": i, "lang": lang, "text": t} for i, t in _bucc_sentences(path)),
          doc="BUCC id<TAB>sentence files"),
    Entry("xquad_r", read_xquad_r_pool, doc="every sentence of the XQuAD-R paragraphs (LAReQA)"),
    Entry("mewsli_entities", lambda path, lang: (
        {"id": r["entity_id"], "lang": r.get("description_language", lang), "text": r.get("description", "")}
        for _, r in read_jsonl({"main": path})), doc="Mewsli-X candidate entity descriptions"),
]:
    POOLS.add(_entry)
