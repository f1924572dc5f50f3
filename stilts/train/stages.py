"""A run's stages in order, as the three phases of X-STILTs lay them out (see stilts.train.phases), and the
per-stage settings (`epochs`, `limits`, `skip`) keyed by a stage's task or, for intermediate stages, by
`intermediate` (an intermediate set built from a target's own task, e.g. XNLI dev rows, then trains for its
own number of epochs, not the target stage's)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind
from stilts.core.tasks import get_task
from stilts.core.tasks.spec import TaskSpec
from stilts.train.config import ExperimentConfig
from stilts.train.disjoint import source_task

@dataclass
class Stage:
    name: str
    phase: str                   # intermediate | target | hidden
    sources: list[str]           # registry tasks and/or advmine dirs (mixed into one training set)
    task: str                    # the registry task that defines kind, labels, metric and English dev
    carry: str                   # what it starts from: encoder (new head) | model (previous stage's head too)
    multitask: list[str] | None = None  # several intermediate tasks at once (each entry may itself be a+b)


def plan(cfg: ExperimentConfig) -> list[Stage]:
    stages = []
    if len(cfg.intermediate) > 1:
        stages.append(Stage("intermediate-" + ",".join(_slug(e) for e in cfg.intermediate), "intermediate",
                            [s for e in cfg.intermediate for s in e.split("+")], "multi", "encoder",
                            multitask=list(cfg.intermediate)))
    for entry in cfg.intermediate[:1] if len(cfg.intermediate) == 1 else []:
        sources = entry.split("+")
        stages.append(Stage(f"intermediate-{_slug(entry)}", "intermediate", sources, source_task(sources[0]),
                            "encoder"))
    if cfg.target and get_kind(get_task(cfg.target).kind).dual_encoder:
        return stages + _retrieval_stages(get_task(cfg.target), cfg)
    if cfg.target:
        spec = get_task(cfg.target)
        chain = _target_chain(spec)
        for i, t in enumerate(chain):
            last = i == len(chain) - 1
            stages.append(Stage(f"target-{spec.name}" if last else f"hidden-{t}", "target" if last else "hidden",
                                [t], spec.name if last else t, "encoder" if i == 0 else "model"))
    return stages


def _retrieval_stages(spec: TaskSpec, cfg: ExperimentConfig) -> list[Stage]:
    """A dual-encoder stage on the spec's training pairs (LAReQA: SQuAD; Mewsli-X: its Wikipedia pairs), from the
    intermediate encoder; none for Tatoeba/BUCC (no pairs) or with `retrieval_training: false`."""
    if not (spec.train_pairs and cfg.retrieval_training):
        return []
    return [Stage(f"target-{spec.name}", "target", [spec.train_from or spec.name], spec.name, "encoder")]


PER_STAGE_KEYS = ("epochs", "limits", "skip")   # settings keyed by a stage's task
INTERMEDIATE = "intermediate"   # `epochs.intermediate`: every intermediate stage, before its task's key


def stage_epochs(cfg: ExperimentConfig, spec: TaskSpec, phase: str = "target") -> float:
    """`epochs` of a stage, keyed by the stage's task (XCOPA's target stage: `xcopa`, though it trains on COPA's
    rows, as XNLI's trains on MNLI's), else the spec's own default. An intermediate stage reads
    `epochs.intermediate` first: a set built from XNLI's own dev rows is keyed `xnli`, as XNLI's target stage is,
    and the two need not train alike."""
    if phase == "intermediate" and INTERMEDIATE in cfg.epochs:
        return cfg.epochs[INTERMEDIATE]
    return cfg.epochs.get(spec.name, spec.epochs or 2)


def _target_chain(spec: TaskSpec) -> list[str]:
    """The registry tasks whose rows a target's stages train on, in order: hidden stages, then its own."""
    return spec.stages or [spec.train_from or spec.name]


def target_stage_tasks(target: str) -> list[str]:
    """The tasks a target's own stages are keyed by, as `plan` keys them: its hidden stages' (XCOPA: siqa), then
    its own (a retrieval target has at most its own)."""
    spec = get_task(target)
    if get_kind(spec.kind).dual_encoder:
        return [spec.name]
    return _target_chain(spec)[:-1] + [spec.name]


def unknown_stage_keys(settings: dict[str, Any], tasks: set[str]) -> list[str]:
    """The `epochs`/`limits`/`skip` keys of flat `settings` ("epochs.copa": 3) that name no stage's task, so a
    setting that would silently do nothing is refused (`epochs.mlm` is continued MLM's; `epochs.intermediate`
    names every intermediate stage, when `tasks` holds it)."""
    known = tasks | {"mlm"}
    return [k for k in settings if k.split(".")[0] in PER_STAGE_KEYS and "." in k and k.split(".", 1)[1] not in known
            and not (k == f"epochs.{INTERMEDIATE}" and INTERMEDIATE in tasks)]


def check_stage_keys(cfg: ExperimentConfig) -> None:
    """Refuse a per-stage setting that names no stage of this run."""
    stages = plan(cfg)
    tasks = {s.task for s in stages} | {entry_task(e) for s in stages for e in (s.multitask or [])}
    tasks |= {INTERMEDIATE for s in stages if s.phase == "intermediate"}
    flat = {f"{key}.{name}": v for key in PER_STAGE_KEYS for name, v in getattr(cfg, key).items()}
    bad = unknown_stage_keys(flat, tasks)
    if bad:
        raise StiltsError(f"{', '.join(bad)}: no stage of this run is keyed so (its stages: "
                          f"{', '.join(sorted(tasks))}; a target's stage is keyed by the target, e.g. epochs.xcopa "
                          "for XCOPA's COPA stage)")


def saves_encoder(stage: Stage) -> bool:
    """Whether a stage's result is an encoder alone (intermediate and retrieval stages) rather than a model."""
    return stage.phase == "intermediate" or get_kind(get_task(stage.task).kind).dual_encoder


def _slug(entry: str) -> str:
    return "+".join(Path(p).name for p in entry.split("+"))


def entry_task(entry: str) -> str:
    """The task an intermediate entry trains: a mix `a+b` trains as its first source's task."""
    return source_task(entry.split("+")[0])


def selection_tasks(stage: Stage) -> list[str]:
    """The registry tasks whose English dev rows select this stage's model (none for a dual encoder, which
    selects on held-out training pairs)."""
    if stage.multitask:
        return [entry_task(entry) for entry in stage.multitask]
    return [] if get_kind(get_task(stage.task).kind).dual_encoder else [stage.task]
