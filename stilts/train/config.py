"""Experiment config: one YAML (`stilts train --config exp.yaml`) plus CLI overrides, strictly checked.

Defaults follow the X-STILTs / jiant XTREME recipe (../shared/PROTOCOL.md): AdamW lr 1e-5, 10% warm-up,
weight decay 0.01, clip 1.0, batch 4 x accumulation 8 = 32, max length 256 for classification and tagging,
384 for QA (from each task's spec), per-task epochs from the spec. `--kit` switches to the kit profile (a tiny
model trained from scratch learns nothing at lr 1e-5 in a few epochs): lr 2e-4, batch 32, no accumulation."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


from stilts.errors import StiltsError
from stilts.overrides import merged_config
from stilts.tasks.spec import from_mapping
from stilts.train.loop import LoopConfig
from stilts.train.mlm import KitModelConfig

KIT_PROFILE = {"lr": 2e-4, "batch_size": 32, "grad_accum": 1}


@dataclass(frozen=True)
class ExperimentConfig:
    out: str
    model: str = "xlm-roberta-large"          # hub id, local dir, or "kit" (built offline by phase 1)
    intermediate: list[str] = field(default_factory=list)  # task | advmine dir | a+b (mixed) ; several = multi-task
    target: str | None = None
    source: str = "hub"                       # hub | data-dir | kit (task data)
    data_dir: str | None = None
    continued_mlm: list[str] = field(default_factory=list)  # texts for optional continued MLM (tasks or advmine dirs)
    sampling: str = "proportional"            # multi-task: proportional | temperature
    temperature: float = 2.0
    train: LoopConfig = field(default_factory=LoopConfig)
    kit: KitModelConfig = field(default_factory=KitModelConfig)
    max_length: int | None = None             # default: each task's spec
    epochs: dict[str, float] = field(default_factory=dict)   # per-task overrides
    limit: int | None = None                  # first N training rows per task (smoke runs)
    dev_limit: int | None = 500               # English dev rows scored per epoch (jiant: a 500-example subset)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def resolve(config_file: str | None, overrides: dict[str, Any]) -> ExperimentConfig:
    data = merged_config(config_file, overrides)
    if isinstance(data.get("intermediate"), str):
        data["intermediate"] = [x for x in data["intermediate"].split(",") if x]
    if data.get("model") == "kit" or data.get("source") == "kit":
        data.setdefault("model", "kit")
        for k, v in KIT_PROFILE.items():
            data.setdefault("train", {}).setdefault(k, v)
    cfg = from_mapping(ExperimentConfig, data, "experiment config")
    if not cfg.intermediate and not cfg.target:
        raise StiltsError("nothing to train: pass --intermediate TASK and/or --target TASK")
    return cfg
