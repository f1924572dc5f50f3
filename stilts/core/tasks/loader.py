"""One loader for every task and source: the hub (default), a data directory of the authors' files, or the kit.

Whatever the source, the result is a `datasets.Dataset` in the unified schema of the task's kind, built through
`datasets` so that it is cached and fingerprinted: the file list with sizes and mtimes is part of the
generator's arguments, so an edited file is re-read and an unchanged one is loaded from the Arrow cache.
"""
from __future__ import annotations

import glob
import inspect
import json
from pathlib import Path
from typing import Any

from datasets import ClassLabel, Dataset, Sequence, concatenate_datasets

from stilts.core.errors import StiltsError, UnlabelledSplitError, one_line, unknown
from stilts.core.hub import require_hub
from stilts.core.kinds import get_kind
from stilts.core.tasks.formats import FORMATS, POOLS, is_structured
from stilts.core.tasks.registry import get_task
from stilts.core.tasks.schema import POOL_FEATURES, features
from stilts.core.tasks.spec import Layout, TaskSpec
from stilts.core.tasks.unify import unify

KIT_DIR = Path(__file__).parent / "kit" / "data"
# The kit's XNLI languages, in the order the kit model's MLM corpus reads them (scripts/kitgen writes the files)
KIT_LANGS = ("en", "sw", "th", "ar", "ru", "zh", "hi")
SOURCES = ("hub", "data-dir", "kit")


def load(task: str | TaskSpec, split: str, lang: str | None = None, *, source: str | None = None,
         data_dir: str | Path | None = None, layout: str | None = None, variant: str | None = None,
         cache_dir: str | None = None) -> Dataset:
    """Load `split` of `task` in `lang` (default: the task's training language) as a unified Dataset.

    `source` is "hub" (default), "data-dir" (needs `data_dir`, the task's files as published) or "kit"
    (the embedded default); passing `data_dir` alone implies "data-dir".
    """
    spec = get_task(task) if isinstance(task, str) else task
    source, root = _source(source, data_dir)
    lang = _check_lang(spec, lang)
    if spec.parts:
        return _load_parts(spec, split, lang, source=source, data_dir=data_dir, cache_dir=cache_dir)
    _check_split(spec, split)
    if source == "hub":
        return _load_hub(spec, split, lang, cache_dir)
    chosen = _find_files(spec, split, lang, root, layout, variant, source)
    if chosen is None:  # e.g. XNLI in XTREME's layout has no train file: its English training data is MNLI
        return load(spec.train_from, "train", spec.train_language, source=source, data_dir=data_dir,
                    cache_dir=cache_dir)
    lay, files = chosen
    job = _job(spec, split, lang, lay, files)
    return _build(_generate, features(spec.kind, spec.labels), job, cache_dir)


def load_pool(task: str | TaskSpec, split: str, lang: str | None = None, *, source: str | None = None,
              data_dir: str | Path | None = None, cache_dir: str | None = None) -> Dataset:
    """The candidate pool of a retrieval task (`id, lang, text`); `lang=None` pools every language (LAReQA)."""
    spec = get_task(task) if isinstance(task, str) else task
    if not get_kind(spec.kind).has_pool:
        raise StiltsError(f"{spec.name} is a {spec.kind} task; only retrieval tasks have a candidate pool")
    source, root = _source(source, data_dir)
    _check_split(spec, split)
    if source == "hub":
        queries = load(spec, split, lang, source="hub", cache_dir=cache_dir)
        if not all(len(t) == 1 for t in queries["target_ids"][:10]):
            raise StiltsError(f"the hub copy of {spec.name} has no candidate pool; pass --data-dir DIR with its files")
        return Dataset.from_dict({"id": [t[0] for t in queries["target_ids"]], "lang": ["en"] * len(queries),
                                  "text": queries["target"]}, features=POOL_FEATURES)
    langs = [_check_lang(spec, lang)] if lang else spec.languages
    jobs = []
    for lg in langs:
        chosen = _find_files(spec, split, lg, root, None, None, source, role="pool", required=lang is not None)
        if chosen:
            lay, files = chosen
            jobs.append({"pool_format": lay.pool_format, "lang": lg, "files": files, "stamps": _stamps(files)})
    if not jobs:
        raise StiltsError(f"no candidate-pool files for {spec.name} {split} under {root}")
    return _build(_generate_pool, POOL_FEATURES, {"task": spec.name, "pools": jobs}, cache_dir)


# ---- sources ------------------------------------------------------------------------------------------------

def _source(source: str | None, data_dir: str | Path | None) -> tuple[str, Path | None]:
    source = source or ("data-dir" if data_dir else "hub")
    if source not in SOURCES:
        raise unknown("source", source, list(SOURCES))
    if source == "kit":
        return source, KIT_DIR
    if source == "data-dir":
        if not data_dir:
            raise StiltsError("source 'data-dir' needs a directory: pass --data-dir DIR")
        root = Path(data_dir)
        if not root.is_dir():
            raise StiltsError(f"--data-dir {root}: no such directory")
        return source, root
    return source, None


def _check_lang(spec: TaskSpec, lang: str | None) -> str:
    if lang is None:
        return spec.train_language
    if lang not in spec.all_languages:
        raise unknown(f"language for {spec.name}", lang, spec.all_languages, limit=60)
    return lang


def _check_split(spec: TaskSpec, split: str) -> None:
    if split not in spec.splits:
        raise unknown(f"split for {spec.name}", split, spec.splits)


def _expand(pattern: str, spec: TaskSpec, lang: str, variant: str | None) -> list[str]:
    return [pattern.format(lang=lang, code=spec.code(lang), variant=variant or "")]


def _match(root: Path, pattern: str) -> list[Path]:
    """A pattern matches itself, itself + '.gz', or a sorted glob (sorted: UD treebank order must not vary)."""
    found: list[Path] = []
    for p in (pattern, pattern + ".gz"):
        if any(ch in p for ch in "*?["):
            found += [Path(x) for x in sorted(glob.glob(str(root / p)))]
        elif (root / p).is_file():
            found.append(root / p)
    return found


def _roles(entry: Any) -> dict[str, list[str]]:
    if isinstance(entry, dict):
        return {r: (v if isinstance(v, list) else [v]) for r, v in entry.items()}
    return {"main": entry if isinstance(entry, list) else [entry]}


def _find_files(spec: TaskSpec, split: str, lang: str, root: Path, layout: str | None, variant: str | None,
                source: str, role: str = "main", required: bool = True) -> tuple[Layout, list[dict]] | None:
    layouts = spec.layouts
    if layout:
        layouts = [lay for lay in spec.layouts if lay.name == layout]
        if not layouts:
            raise unknown(f"layout for {spec.name}", layout, [lay.name for lay in spec.layouts])
    looked: list[str] = []
    has_split = False
    for lay in layouts:
        table = lay.pool if role == "pool" else lay.files
        if split not in table:
            continue
        has_split = True
        var = variant or (lay.variants[0] if lay.variants else None)
        if variant and lay.variants and variant not in lay.variants:
            raise unknown(f"variant of layout {lay.name}", variant, lay.variants)
        roles = _roles(table[split])
        resolved: dict[str, list[Path]] = {}
        for r, patterns in roles.items():
            for pat in patterns:
                for p in _expand(pat, spec, lang, var):
                    looked.append(p)
                    hits = _match(root, p)
                    if hits:
                        resolved[r] = resolved.get(r, []) + hits
                if r in resolved and not lay.union:
                    break
        if "main" in resolved and all(r in resolved for r in roles if r != "gold"):
            others = {r: str(v[0]) for r, v in resolved.items() if r != "main"}
            return lay, [{"main": str(m), **others} for m in resolved["main"]]
    if not has_split and split == "train" and spec.train_from and role == "main":
        return None
    if not required:
        return None
    where = "the embedded kit" if source == "kit" else str(root)
    hint = ("; the kit covers only some tasks (see `stilts tasks`): use --data-dir DIR or the hub"
            if source == "kit" else "")
    raise StiltsError(f"{spec.name}: no {split} files for language {lang} under {where} "
                      f"(looked for {', '.join(looked) or 'nothing: no layout has this split'}){hint}")


def _stamps(files: list[dict]) -> list:
    return [[p, Path(p).stat().st_size, Path(p).stat().st_mtime_ns] for f in files for p in f.values()]


def _job(spec: TaskSpec, split: str, lang: str, lay: Layout, files: list[dict]) -> dict:
    options = dict(lay.options)
    params = inspect.signature(FORMATS.get(lay.format).load()).parameters
    if "lang" in params:
        options["lang"] = lang
    if "languages" in params:
        options["languages"] = list(spec.languages)
    return {"task": spec.name, "kind": spec.kind, "labels": spec.labels, "split": split, "lang": lang,
            "unanswerable": spec.unanswerable, "ids": lay.ids, "format": lay.format, "structured": is_structured(lay.format), "options": options,
            "columns": lay.columns, "label_map": lay.label_map, "files": files, "stamps": _stamps(files)}


# ---- building datasets (top-level generators, so `datasets` can hash them) ------------------------------------

def _generate(job: str):
    job_d = json.loads(job)
    reader = FORMATS.get(job_d["format"]).load()
    seen: dict[str, Any] = {}
    for i, files in enumerate(job_d["files"]):
        if len(job_d["files"]) > 1:  # generated ids must stay unique across files
            job_d["file_index"] = i
        paths = {r: Path(p) for r, p in files.items()}
        state: dict = {}
        for row, rec in reader(paths, **job_d["options"]):
            out = unify(rec, job_d, paths["main"], row, state)
            if job_d["ids"] == "position":
                out["id"] = f"{job_d['lang']}-{job_d['split']}-{len(seen)}"
            if out["id"] in seen:
                from stilts.core.errors import DataError
                raise DataError(paths["main"], row, "id", f"duplicate id {out['id']!r} (first at row {seen[out['id']]})")
            seen[out["id"]] = row
            yield out


def _generate_pool(job: str):
    for pool in json.loads(job)["pools"]:
        for files in pool["files"]:
            yield from POOLS.make(pool["pool_format"], Path(files["main"]), pool["lang"])


def _blank(path: Path) -> bool:
    """True when a file holds nothing but whitespace (read until the first other byte)."""
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        while chunk := f.read(1 << 16):
            if chunk.strip():
                return False
    return True


def _build(generator, feats, job: dict, cache_dir: str | None) -> Dataset:
    mains = [Path(f["main"]) for f in job.get("files", []) if f.get("main")]
    if mains and all(p.is_file() and _blank(p) for p in mains):  # before datasets writes an empty cache file
        raise StiltsError(f"{', '.join(map(str, mains))}: no rows (the file is empty or holds only blank lines)")
    try:
        return Dataset.from_generator(generator, features=feats, gen_kwargs={"job": json.dumps(job, sort_keys=True)},
                                      cache_dir=cache_dir)
    except Exception as e:  # datasets wraps generator errors; surface ours as the one line they are
        cause: BaseException | None = e
        while cause is not None:
            if isinstance(cause, StiltsError):
                raise cause from None
            if "corresponds to no data" in str(cause):   # the generator yielded no row at all
                files = ", ".join(str(f.get("main", "")) for f in job.get("files", [])) or job.get("task", "")
                raise StiltsError(f"{files}: no rows for {job.get('lang')}/{job.get('split')} (the file is empty, "
                                  "holds only blank lines, or has no row of this language)") from None
            cause = cause.__cause__ or cause.__context__
        raise


def hub_source(spec: TaskSpec, split: str, lang: str) -> tuple[str, str | None, str, dict]:
    """(repo id, config, hub split, further load_dataset arguments) of a task's split in one language, or one
    line saying why there is none."""
    hub = spec.hub
    local = ", ".join(sorted({str(v) for lay in spec.layouts for v in _roles(lay.files.get(split, []))["main"]}))
    if hub is None:
        raise StiltsError(f"{spec.name} has no public hub copy ({spec.no_hub_reason}); pass --data-dir DIR "
                          f"holding its files ({local or 'see the spec'})")
    if hub.languages is not None and lang not in hub.languages:
        raise StiltsError(f"the hub copy of {spec.name} ({hub.path}) has no {lang}; pass --data-dir DIR ({local})")
    if split not in hub.splits:
        raise StiltsError(f"the hub copy of {spec.name} ({hub.path}) has no {split} split; pass --data-dir DIR")
    config = hub.config.format(lang=lang, code=spec.code(lang)) if hub.config else None
    if hub.id_prefix and lang not in hub.id_prefix:
        raise StiltsError(f"the hub copy of {spec.name} ({hub.path}) has no id prefix for {lang}; pass --data-dir DIR")
    require_hub(f"dataset {hub.path}" + (f" (config {config})" if config else ""),
                f"--data-dir DIR holding its files ({local or 'see `stilts tasks`'}) or --kit")
    extra = {"revision": hub.revision,
             "data_dir": hub.data_dir.format(lang=lang, code=spec.code(lang)) if hub.data_dir else None}
    return hub.path, config, hub.splits[split], {k: v for k, v in extra.items() if v}


def hub_rows_of(spec: TaskSpec, lang: str):
    """A predicate on raw hub rows: the language's rows of a config that holds every language (or None)."""
    prefix = spec.hub.id_prefix.get(lang) if spec.hub and spec.hub.id_prefix else None
    return (lambda row: str(row.get("id", "")).startswith(prefix)) if prefix else None


def hub_job(spec: TaskSpec, split: str, lang: str, raw_features: Any) -> dict:
    """How rows of the hub copy map into the unified schema (ClassLabel names read from the hub's features)."""
    hub = spec.hub
    class_names = {}
    for col, feat in (raw_features or {}).items():
        inner = feat.feature if isinstance(feat, Sequence) else feat
        if isinstance(inner, ClassLabel):
            target = next((k for k, v in hub.columns.items() if v == col), col)
            class_names[target] = inner.names
    return {"task": spec.name, "kind": spec.kind, "labels": spec.labels, "split": split, "lang": lang,
            "unanswerable": spec.unanswerable, "structured": False, "columns": hub.columns,
            "label_map": hub.label_map, "class_names": class_names}


def _load_hub(spec: TaskSpec, split: str, lang: str, cache_dir: str | None) -> Dataset:
    path, config, hub_split, extra = hub_source(spec, split, lang)
    name = path + (f" (config {config})" if config else "") + (f" @ {extra['revision']}" if "revision" in extra else "")
    from datasets import load_dataset

    try:
        raw = load_dataset(path, config, split=hub_split, cache_dir=cache_dir, **extra)
    except Exception as e:  # the hub's own errors are long; keep them to one line
        raise StiltsError(one_line(f"loading {name} from the hub failed: {type(e).__name__}: {e}")[:400]) from None
    keep = hub_rows_of(spec, lang)
    if keep:
        raw = raw.filter(keep, desc=f"{spec.name}: {lang} rows")
    job = hub_job(spec, split, lang, raw.features)
    ds = raw.map(_unify_batch, batched=True, with_indices=True, remove_columns=raw.column_names,
                 features=features(spec.kind, spec.labels), fn_kwargs={"job": json.dumps(job, sort_keys=True)},
                 desc=f"unify {spec.name}/{lang}/{split}")
    if len(set(ds["id"])) != len(ds):
        raise StiltsError(f"{name} {split}: ids are not unique")
    return ds


def _unify_batch(batch: dict, indices: list[int], job: str) -> dict:
    job_d = json.loads(job)
    cols = list(batch)
    rows = [unify(dict(zip(cols, vals)), job_d, job_d["task"] + "@hub", i, {"labelled": None})
            for i, vals in zip(indices, zip(*batch.values()))]
    return {k: [r[k] for r in rows] for k in (rows[0] if rows else {})}


def _load_parts(spec: TaskSpec, split: str, lang: str, **kw: Any) -> Dataset:
    parts = []
    for name in spec.parts:
        part = get_task(name)
        if split in part.splits:
            ds = load(part, split, lang, **kw)
            parts.append(ds.map(lambda r, p=name: {"id": f"{p}/{r['id']}"}, desc=f"tag {name} ids"))
    if not parts:
        raise StiltsError(f"no part of {spec.name} ({', '.join(spec.parts)}) has a {split} split")
    return concatenate_datasets(parts)


# ---- which files a split reads ------------------------------------------------------------------------------

def split_files(task: str | TaskSpec, split: str, lang: str | None = None, *, source: str | None = None,
                data_dir: str | Path | None = None) -> tuple[Layout | None, list[str]]:
    """(layout, files) that `load` reads for a split, so that a log line or an error can name them; the hub:
    (None, [its repo id])."""
    spec = get_task(task) if isinstance(task, str) else task
    source, root = _source(source, data_dir)
    lang = _check_lang(spec, lang)
    _check_split(spec, split)
    if spec.parts:
        return None, [f"the {split} files of {', '.join(spec.parts)}"]
    if source == "hub":
        return None, [f"the hub copy {spec.hub.path}" if spec.hub else f"{spec.name} (no hub copy)"]
    chosen = _find_files(spec, split, lang, root, None, None, source)
    if chosen is None:
        return split_files(spec.train_from, "train", spec.train_language, source=source, data_dir=data_dir)
    lay, files = chosen
    return lay, [f["main"] for f in files]


def stand_in_note(task: str | TaskSpec, split: str, lang: str | None = None, *, source: str | None = None,
                  data_dir: str | Path | None = None) -> str:
    """One line when `split` is read from files published as another split (a layout's `stands_in`: SIQA
    without its train file trains on its labelled test file), naming them; '' when it reads its own files."""
    spec = get_task(task) if isinstance(task, str) else task
    lay, files = split_files(spec, split, lang, source=source, data_dir=data_dir)
    published = lay.stands_in.get(split) if lay else None
    if not published:
        return ""
    notes = f" ({lay.notes})" if lay.notes else ""
    return (f"{spec.name} {split}: no {split} file in the data dir, so layout {lay.name} reads the {published} "
            f"file {', '.join(files)} instead{notes}")


# ---- labels -------------------------------------------------------------------------------------------------

def is_labelled(ds: Dataset, kind: str) -> bool:
    """Whether any row carries gold (XTREME strips test labels; TyDiQA-GoldP dev answers are stripped too)."""
    return get_kind(kind).is_labelled(ds)


def require_labelled(ds: Dataset, task: str | TaskSpec, split: str, lang: str) -> None:
    """Refuse to score a split without gold labels, and say which labelled split to use instead."""
    spec = get_task(task) if isinstance(task, str) else task
    if not is_labelled(ds, spec.kind):
        other = next((s for s in ("dev", "validation", "test") if s in spec.splits and s != split), None)
        hint = f"; score the labelled {other} split instead (--split {other})" if other else ""
        raise UnlabelledSplitError(f"{spec.name} {split} ({lang}) has no gold labels: its publisher stripped "
                                   f"them{hint}")
