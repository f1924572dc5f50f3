"""Phase 2 on several tasks at once: one shared encoder, one head per task, batches drawn from the tasks by
size-proportional or temperature sampling (p_t proportional to n_t^(1/T)); every batch holds one task.
The one training loop runs it unchanged: this module supplies a model, a dataset view and a batch plan."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from stilts.core.batching import length_grouped_batches


class MultiTaskModel(torch.nn.Module):
    """Task models whose encoders are one and the same module; `forward(task=...)` picks the head."""

    def __init__(self, models: list[Any]):
        super().__init__()
        self.heads = torch.nn.ModuleList(models)
        # Share an encoder that has a pooler when some head reads it (multiple choice pools; classification
        # heads built without one ignore it).
        bases = [getattr(m, m.base_model_prefix) for m in models]
        shared = next((b for b in bases if getattr(b, "pooler", None) is not None), bases[0])
        for m in models:
            setattr(m, m.base_model_prefix, shared)

    @property
    def base_model(self) -> Any:
        return self.heads[0].base_model

    def forward(self, task: torch.Tensor, **batch: Any) -> Any:
        return self.heads[int(task[0])](**batch)

    def save_pretrained(self, out: Any) -> None:
        from pathlib import Path
        for i, m in enumerate(self.heads):
            m.save_pretrained(Path(out) / f"task{i}")


class TaskMix:
    """Several tokenised datasets seen as one: global row indices, rows tagged with their task index."""

    def __init__(self, parts: list[Any]):
        self.parts = parts
        self.offsets = np.cumsum([0] + [len(p) for p in parts])
        self.task_of = np.concatenate([np.full(len(p), i) for i, p in enumerate(parts)])

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def __getitem__(self, column: str) -> list:
        return [x for p in self.parts for x in p[column]]

    def select(self, idx: list[int]) -> "TaskMix._Rows":
        rows = []
        for i in idx:
            t = int(self.task_of[i])
            rows.append({**self.parts[t][int(i - self.offsets[t])], "task": t})
        return TaskMix._Rows(rows)

    class _Rows:
        def __init__(self, rows: list[dict]):
            self.rows = rows

        def to_list(self) -> list[dict]:
            return self.rows


def sampled_batches(mix: TaskMix, sampling: str, temperature: float):
    """A batch plan for the loop: per-task length-grouped batches, interleaved by task sampling."""
    def plan(lengths: list[int], batch_size: int, seed: int, epoch: int, group: bool = True) -> list[list[int]]:
        per_task = []
        for t, part in enumerate(mix.parts):
            local = length_grouped_batches(list(part["length"]), batch_size, seed + 1000 * t, epoch, group)
            per_task.append([[int(mix.offsets[t] + i) for i in b] for b in local])
        sizes = np.array([len(b) for b in per_task], dtype=float)
        power = 1.0 if sampling == "proportional" else 1.0 / temperature
        p = sizes ** power / (sizes ** power).sum()
        rng = np.random.default_rng([seed, epoch, 7])
        cursors = [0] * len(per_task)
        out = []
        for t in rng.choice(len(per_task), size=int(sizes.sum()), p=p):
            out.append(per_task[t][cursors[t] % len(per_task[t])])  # small tasks cycle under temperature
            cursors[t] += 1
        return out
    return plan
