"""The rows a stage trains and selects on: a registry task's English training rows (`skip`, then `limit`), an
advmine dataset's training split, and the English dev rows that select the model."""
from __future__ import annotations

from typing import Any

from datasets import Dataset

from stilts.core.built_dataset import BuiltDataset
from stilts.core.errors import StiltsError, UnlabelledSplitError
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task, load, split_files, stand_in_note
from stilts.core.tasks.spec import TaskSpec
from stilts.train.config import ExperimentConfig
from stilts.train.disjoint import source_ids, source_task

UNIFIED = {"id", "lang", "text_a", "text_b", "text", "context", "question", "choices", "label", "tokens", "tags",
           "answers"}

def train_rows(source: str, cfg: ExperimentConfig, stage_task: str | None = None) -> Dataset:
    """A stage's training rows from a registry task (English train split; `skip[stage_task]` rows skipped, then
    `limits[stage_task]` or `limit`) or an advmine dataset (a directory, or `hf:org/name` pushed to the hub)."""
    ds = source_rows(source, cfg, stage_task)
    return ds.remove_columns([c for c in ds.column_names if c not in UNIFIED])


def source_rows(source: str, cfg: ExperimentConfig, stage_task: str | None = None) -> Dataset:
    """`train_rows` with every column the source has (an advmine row's `orig_id`: the English row it came from)."""
    limit = cfg.limits.get(stage_task or "", cfg.limit)
    built = BuiltDataset.find(source)
    if built:
        ds = built.training_split()
        if limit and len(ds) > limit:  # its rows are grouped by language: a seeded sample, not the head
            ds = ds.shuffle(seed=0).select(range(limit))
        return ds
    ds = registry_train(source, cfg)
    start, end = row_range(cfg, stage_task, len(ds))
    if start and start >= len(ds):
        raise StiltsError(f"skip.{stage_task}={start}: {source} has only {len(ds)} English training rows")
    return ds if (start, end) == (0, len(ds)) else ds.select(range(start, end))


def row_range(cfg: ExperimentConfig, stage_task: str | None, n: int) -> tuple[int, int]:
    """The [start, end) rows of an n-row registry training file a stage reads: `skip`, then `limits` or `limit`."""
    start = cfg.skip.get(stage_task or "", 0)
    limit = cfg.limits.get(stage_task or "", cfg.limit)
    return start, min(start + limit, n) if limit else n


def dev_rows(spec: TaskSpec, cfg: ExperimentConfig) -> Dataset:
    """English dev rows only: zero-shot model selection never sees target-language data."""
    split = "dev" if "dev" in spec.splits else spec.eval_split
    lang = "en" if "en" in spec.all_languages else spec.train_language
    ds = load(spec, split, lang, source=cfg.source, data_dir=cfg.data_dir)
    assert set(ds["lang"]) <= {"en"}, "model selection must use English dev data only"
    ds = ds.select(range(min(cfg.dev_limit, len(ds)))) if cfg.dev_limit else ds
    require_selection_gold(ds, spec, split, lang, cfg)
    return ds


def require_selection_gold(ds: Dataset, spec: TaskSpec, split: str, lang: str, cfg: ExperimentConfig) -> None:
    """Stop when the rows that select the model carry no gold label (XTREME's TyDiQA-GoldP dev answers are
    stripped): every epoch would score 0 and the "best" checkpoint would be chosen on zeros."""
    if get_kind(spec.kind).is_labelled(ds):
        return
    _, files = split_files(spec, split, lang, source=cfg.source, data_dir=cfg.data_dir)
    patterns = [p.format(lang=lang, code=spec.code(lang), variant="") for lay in spec.layouts
                for p in _patterns(lay.files.get(split))][:1]
    instead = [f"--data-dir DIR whose {patterns[0]} holds gold labels"] if patterns else []
    if spec.hub and split in spec.hub.splits and cfg.source != "hub":
        instead.append(f"no --data-dir/--kit, to read the hub copy ({spec.hub.path})")
    raise UnlabelledSplitError(
        f"{spec.name}: model selection reads the English {split} rows of {', '.join(files)}, and none of its "
        f"{len(ds)} rows has a gold label (the publisher stripped them), so every epoch would score 0; pass "
        + (" or ".join(instead) or "a copy of this split with gold labels"))


def _patterns(entry: Any) -> list[str]:
    """The main file pattern(s) of a layout's split entry (a pattern, a list, or {role: pattern(s)})."""
    main = entry.get("main", []) if isinstance(entry, dict) else entry
    return [main] if isinstance(main, str) else list(main or [])


def train_note(sources: list[str], cfg: ExperimentConfig) -> str:
    """What stands in for a registry source's missing English train file (a layout's `stands_in`: SIQA trains
    on its labelled test file), for the stage's log line and result; '' when every source reads its own."""
    notes = [stand_in_note(s, "train", source=cfg.source, data_dir=cfg.data_dir)
             for s in sources if not BuiltDataset.find(s)]
    return "; ".join(n for n in notes if n)


def registry_train(source: str, cfg: ExperimentConfig) -> Dataset:
    """A registry task's whole English training file, before `skip` and `limit`."""
    spec = get_task(source)
    return load(spec, "train", spec.train_language, source=cfg.source, data_dir=cfg.data_dir)


def _used_positions(source: str, stage: Any, cfg: ExperimentConfig, position: dict[str, int]) -> set[int]:
    """The rows of a registry task's training file that an intermediate source reads: its own rows (by id), and
    for an advmine set built from that file, every row its build loaded (the pool its selection saw)."""
    built = BuiltDataset.find(source)
    if built is None:
        return {position[i] for i in source_ids(source_rows(source, cfg, stage.task)) if i in position}
    read = (built.step_info("load").get("rows") or {}).get("train")
    if not read:   # built from other splits (dev, test): none of the training file's rows
        return set()
    return set(range(read[0], read[1] + 1))


def disjoint_starts(cfg: ExperimentConfig, stages: list) -> dict[str, int]:
    """stage name -> the first training row a later stage reads instead of its `skip`, so that it trains no row
    an intermediate stage on the same registry task reads (`rows: disjoint`, the default: XNLI's target stage
    after an MNLI intermediate stage takes MNLI rows past the intermediate's). {} with `rows: shared`, or with
    `require_disjoint`, which stops on shared rows instead of moving (stilts.train.disjoint.check_disjoint)."""
    if cfg.rows == "shared" or cfg.require_disjoint:
        return {}
    earlier = [(s, src) for s in stages if s.phase == "intermediate" for src in s.sources]
    starts: dict[str, int] = {}
    for stage in stages:
        if stage.phase == "intermediate":
            continue
        for source in stage.sources:
            if BuiltDataset.find(source):   # a later stage on an advmine set: its rows are what was built
                continue
            mine = [(s, src) for s, src in earlier if source_task(src) == source_task(source)]
            if not mine:
                continue
            full = registry_train(source, cfg)
            position = {str(i): n for n, i in enumerate(full["id"])}
            used = set().union(*(_used_positions(src, s, cfg, position) for s, src in mine))
            start, end = row_range(cfg, stage.task, len(full))
            if not used or not any(start <= n < end for n in used):
                continue
            past = max(used) + 1
            if past >= len(full):
                names = ", ".join(sorted({s.name for s, _ in mine}))
                raise StiltsError(
                    f"{stage.name} trains on {source_task(source)}'s training rows, and {names} reads up to its last "
                    f"(row {max(used)} of {len(full)}), so no row is left for it: pass --limit N (each stage reads "
                    f"N rows, the later one past the earlier's), --set skip.{stage.task}=N, or --set rows=shared "
                    "to train both on the same rows")
            starts[stage.name] = max(starts.get(stage.name, 0), past)
    return starts
