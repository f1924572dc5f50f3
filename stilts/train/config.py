"""Experiment config: one YAML (`stilts train --config exp.yaml`) plus CLI overrides, strictly checked.

Defaults follow the X-STILTs / jiant XTREME recipe (../shared/PROTOCOL.md): AdamW lr 1e-5, 10% warm-up,
weight decay 0.01, clip 1.0, batch 4 x accumulation 8 = 32, max length 256 for classification and tagging,
384 for QA (from each task's spec), per-task epochs from the spec. A locally built phase-1 model (stilts.train.model_sources:
`e5-small`, the offline real encoder; `kit`, the tiny test model) brings its own profile as defaults under
what the config sets; its profile, or any model's retrieval family (stilts.models.retrieval_profile), names the
layer and text prefix retrieval reads (e5: the last layer and "query: "; XLM-R: XTREME's layer 14 of 24).
Freezing the word embeddings or the lowest layers trades quality for CPU time.
Retrieval targets whose spec names training pairs (LAReQA, Mewsli-X) are trained as dual encoders, as XTREME-R
does; `retrieval_training: false` uses the intermediate encoder directly instead (the zero-training variant). A
retrieval target whose pooled layer lies inside the frozen layers is refused: no training could change it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal


from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind
from stilts.eval.retrieval import RetrievalConfig
from stilts.models import layer_index, layer_problem
from stilts.models.feature_cache import CacheDtype
from stilts.core.overrides import merged_config
from stilts.core.precision import Precision
from stilts.core.config_check import from_mapping
from stilts.train.loop import LoopConfig
from stilts.train.mlm import KitModelConfig

@dataclass(frozen=True)
class ExperimentConfig:
    out: str
    model: str = "xlm-roberta-large"          # hub id, local dir, or a local source: e5-small | kit
    intermediate: list[str] = field(default_factory=list)  # task | advmine dir | a+b (mixed) ; several = multi-task
    target: str | None = None
    source: Literal["hub", "data-dir", "kit"] = "hub"   # where task data comes from
    data_dir: str | None = None
    continued_mlm: list[str] = field(default_factory=list)  # texts for optional continued MLM (tasks or advmine dirs)
    sampling: Literal["proportional", "temperature"] = "proportional"   # multi-task batches
    temperature: float = 2.0
    train: LoopConfig = field(default_factory=LoopConfig)
    kit: KitModelConfig = field(default_factory=KitModelConfig)
    max_length: int | None = None             # default: each task's spec
    epochs: dict[str, float] = field(default_factory=dict)   # per-task overrides
    limit: int | None = None                  # first N training rows per task (an advmine dataset: a seeded sample of N)
    limits: dict[str, int] = field(default_factory=dict)  # stage task -> its own `limit` (e.g. PAN-X 2,000 rows)
    skip: dict[str, int] = field(default_factory=dict)   # stage task -> rows of its registry source skipped before
                                              # `limit` (skip.xnli: XNLI's MNLI rows start past the intermediate's)
    rows: Literal["disjoint", "shared"] = "disjoint"   # a later stage on an intermediate stage's source task
                                              # (XNLI trains on MNLI) takes rows past the intermediate's; shared:
                                              # the same rows may train both (said in the log and stages.json)
    require_disjoint: bool = False            # stop instead of moving when an intermediate stage shares training
                                              # rows with a later one (a grid whose rows are set by hand)
    dev_limit: int | None = 500               # English dev rows scored per epoch (jiant: a 500-example subset)
    freeze_embeddings: bool = False           # word embeddings not trained (CPU runs; e5-small's profile)
    freeze_layers: int = 0                    # the lowest N transformer layers not trained
    feature_cache: bool = False               # store the states after the frozen layers once, train the top only
    feature_cache_dtype: CacheDtype = "float32"   # on disk (float16: half the size, ~1e-3 off)
    retrieval_training: bool = True           # dual-encoder training of LAReQA / Mewsli-X (false: none, as Tatoeba)
    retrieval_temperature: float = 0.05       # in-batch softmax over cosine / temperature
    retrieval_layer: float = RetrievalConfig.layer  # the pooled layer (stilts.models.layer_index), trained and read
    retrieval_prefix: str = RetrievalConfig.prefix  # text before every retrieval input (e5-small's profile: "query: ")
    eval_precision: Precision = "auto"        # inference (dev scoring, zero-shot eval): auto is bf16
                                              # on a GPU that has it, else fp32 (stilts.core.precision)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def key_dict(self) -> dict:
        """What stage and cell keys hash: `to_dict` less the keys added after runs were finished, while they hold
        their default (so those runs keep their keys)."""
        return {k: v for k, v in self.to_dict().items() if KEYLESS_DEFAULTS.get(k, _UNSET) != v}


_UNSET = object()
KEYLESS_DEFAULTS: dict[str, Any] = {"retrieval_prefix": "", "skip": {}, "limits": {}, "require_disjoint": False,
                                    "eval_precision": "auto", "rows": "disjoint"}   # key -> the default that stays out of keys


def resolve(config_file: str | None, overrides: dict[str, Any]) -> ExperimentConfig:
    data = merged_config(config_file, overrides)
    if isinstance(data.get("intermediate"), str):
        data["intermediate"] = [x for x in data["intermediate"].split(",") if x]
    from stilts.train.model_sources import OFFLINE_DEFAULT, model_depth, model_profile

    if data.get("source") == "kit":
        data.setdefault("model", OFFLINE_DEFAULT)
    model = data.get("model", ExperimentConfig.model)
    for key, value in (model_profile(model) if isinstance(model, str) else {}).items():
        if isinstance(value, dict):
            data[key] = {**value, **(data.get(key) or {})}
        else:
            data.setdefault(key, value)
    cfg = from_mapping(ExperimentConfig, data, "experiment config")
    if not cfg.intermediate and not cfg.target:
        raise StiltsError("nothing to train: pass --intermediate TASK and/or --target TASK")
    if cfg.train.seed < 0:
        raise StiltsError(f"train.seed must be >= 0, got {cfg.train.seed}")
    if cfg.freeze_layers < 0:
        raise StiltsError(f"freeze_layers must be >= 0, got {cfg.freeze_layers}")
    if cfg.feature_cache and cfg.freeze_layers < 1:
        raise StiltsError("feature_cache needs freeze_layers >= 1: it stores the output of the frozen layers")
    for key, least in (("skip", 0), ("limits", 1)):
        bad = {t: n for t, n in getattr(cfg, key).items() if not isinstance(n, int) or n < least}
        if bad:
            raise StiltsError(f"{key}: {bad}: each value must be a row count >= {least}")
    if cfg.retrieval_temperature <= 0:
        raise StiltsError(f"retrieval_temperature must be > 0, got {cfg.retrieval_temperature}")
    problem = layer_problem(cfg.retrieval_layer) or frozen_layer_problem(
        cfg, cfg.retrieval_layer, model_depth(cfg) if pools_over_frozen_layers(cfg) else None)
    if problem:
        raise StiltsError(f"retrieval_layer: {problem}")
    return cfg


def pools_over_frozen_layers(cfg: ExperimentConfig) -> bool:
    """Whether the target is scored from pooled encoder states (a retrieval task) of a model with frozen layers."""
    from stilts.core.tasks import get_task

    return bool(cfg.target and cfg.freeze_layers and get_kind(get_task(cfg.target).kind).dual_encoder)


def frozen_layer_problem(cfg: ExperimentConfig, layer: float, depth: int | None) -> str | None:
    """Why pooling `layer` of a `depth`-layer model defeats a comparison of this config's retrieval target: it lies
    inside the embeddings + lowest `freeze_layers` layers, which no stage trains, so every condition scores the
    same vectors. None when it lies above them, when nothing is frozen, or when the depth is not known yet."""
    if depth is None or not pools_over_frozen_layers(cfg):
        return None
    idx = layer_index(depth, layer)
    if idx > cfg.freeze_layers:
        return None
    k = cfg.freeze_layers
    fix = f"read a layer above {k} (-1: the last) or freeze fewer" if k < depth else f"freeze fewer than {depth}"
    return (f"layer {layer:g} is layer {idx} of {depth}, inside the {k} frozen layers (freeze_layers: {k}): no "
            f"training changes what {cfg.target} scores, so every condition would tie; {fix}")
