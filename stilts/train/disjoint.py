"""Training rows that two stages of one run would share. XNLI trains on MNLI, so an MNLI intermediate set (a
registry task or an advmine dataset built from it) and XNLI's target stage can read the same rows: the
intermediate condition would then only be more target data. Before any training, every later stage that reads
the same source task as an intermediate stage is compared with it by source row id (an advmine row's `orig_id`,
the English row it was translated or perturbed from), and the run stops when they share one."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from stilts.core.built_dataset import BuiltDataset
from stilts.core.errors import StiltsError
from stilts.core.tasks import get_task


def source_task(source: str) -> str:
    """The registry task a stage source's rows come from (an advmine dataset: the task it was built from)."""
    built = BuiltDataset.find(source)
    return built.task if built else get_task(source).name


def source_ids(rows: Any) -> set[str]:
    """The source row ids of a stage's rows: an advmine row's `orig_id`, a registry row's `id`."""
    return {str(i) for i in rows["orig_id" if "orig_id" in rows.column_names else "id"]}


def _span(ids: set[str]) -> str:
    nums = sorted(int(i) for i in ids if i.isdigit())
    if not nums or len(nums) < len(ids):
        return f"{len(ids)} row ids"
    whole = nums[-1] - nums[0] + 1 == len(nums)
    return f"rows {nums[0]}-{nums[-1]}" if whole else f"{len(nums)} rows within {nums[0]}-{nums[-1]}"


def check_disjoint(stages: list, rows_of: Callable[[Any, str], Any], require: bool) -> list[str]:
    """One line per (intermediate, later) stage pair on the same source task, saying whether their rows are
    disjoint; with `require`, shared rows stop the run. `rows_of(stage, source)` gives a stage's training rows
    from one of its sources. (X-STILTs itself trains MNLI, then XNLI on MNLI again: allowed with `rows: shared`,
    but said; by default a later stage's rows are moved past the intermediate's first, stilts.train.rows.)"""
    seen: dict[str, list[tuple[str, str, set[str]]]] = {}
    for stage in stages:
        if stage.phase == "intermediate":
            for source in stage.sources:
                seen.setdefault(source_task(source), []).append(
                    (stage.name, source, source_ids(rows_of(stage, source))))
    lines = []
    for stage in stages:
        if stage.phase == "intermediate":
            continue
        for source in stage.sources:
            task = source_task(source)
            if task not in seen:
                continue
            ids = source_ids(rows_of(stage, source))
            for name, other, before in seen[task]:
                shared = ids & before
                said = (f"{stage.name} reads {task} {_span(ids)}; {name} reads {_span(before)} of it "
                        f"({Path(other).name}): "
                        + (f"{len(shared)} rows in common (ids {', '.join(sorted(shared, key=_sort)[:3])}, ...), "
                           f"so {name} is partly more target data" if shared else "no row in common"))
                if shared and require:
                    raise StiltsError(
                        f"require_disjoint: {said}; move the target's rows past them with skip.{stage.task}=N "
                        f"(the first N rows of {task} skipped), or build the intermediate set from other rows")
                lines.append(said)
    return lines


def _sort(i: str) -> tuple:
    return (0, int(i), "") if i.isdigit() else (1, 0, i)
