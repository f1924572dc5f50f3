"""Masked-LM training (phase 1 and continued MLM): a training objective, not a task kind specs may name. Its
features are built by `stilts.train.mlm`; a checkpoint is chosen by the lowest dev loss."""
from __future__ import annotations

from stilts.core.kinds.base import TaskKind


class MaskedLM(TaskKind):
    name = "mlm"
    is_task = False
    head = "AutoModelForMaskedLM"
    scored_by_loss = True
