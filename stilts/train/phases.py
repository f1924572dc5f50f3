"""The three phases of X-STILTs (Phang et al. 2020) as a list of stages, each trained by the one loop:

phase 1  a pretrained masked LM (xlm-roberta-large by default; offline, the kit's model built by MLM here),
         optionally continued MLM on more text;
phase 2  intermediate training on one task, an English task mixed with an advmine dataset (`mnli+DIR`), or
         several tasks at once (multi-task: see multitask.py);
phase 3  the target task's English training data: only the encoder is carried over, with a new head. Hidden
         stages run first where the benchmark has them (XCOPA: SIQA, then COPA, carrying the whole model).
         Retrieval targets follow XTREME-R: LAReQA and Mewsli-X train the encoder as a dual encoder on their
         spec's pairs (`train_pairs`), Tatoeba and BUCC use the intermediate encoder as it is.
Model selection uses English dev data only.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, replace
from pathlib import Path

import yaml
from datasets import concatenate_datasets

from stilts.core.built_dataset import BuiltDataset
from stilts.core.distributed import barrier, is_main, main_first, num_processes
from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind
from stilts.core.markers import key_of, mark_done, read_marker
from stilts.core.outputs import check_replaceable, output_lock, remove_path
from stilts.core.tasks import get_task
from stilts.train.config import ExperimentConfig
from stilts.train.disjoint import check_disjoint
from stilts.train.loop import train_loop
from stilts.train.rows import dev_rows, disjoint_starts, source_rows, train_note, train_rows
from stilts.train.stages import Stage, entry_task, plan, saves_encoder, selection_tasks, stage_epochs


def base_encoder(cfg: ExperimentConfig, log) -> str:
    from stilts.train.model_sources import MODEL_SOURCES, OFFLINE_DEFAULT

    if cfg.model in MODEL_SOURCES:
        return MODEL_SOURCES[cfg.model].build(cfg, log)
    if not Path(cfg.model).is_dir():
        from stilts.core.hub import require_hub
        require_hub(f"model {cfg.model}", f"--model LOCAL_DIR, or --model {OFFLINE_DEFAULT} / --kit (the real "
                    "multilingual encoder that ships offline)")
    return cfg.model


def check_retrieval_layer(cfg: ExperimentConfig, encoder: str) -> None:
    """At the run's start, with the phase-1 model's depth known (a hub model's is not at config time): refuse a
    retrieval layer inside the frozen layers, which no stage could train."""
    from stilts.train.config import frozen_layer_problem, pools_over_frozen_layers

    if pools_over_frozen_layers(cfg):
        from transformers import AutoConfig

        depth = AutoConfig.from_pretrained(encoder).num_hidden_layers
        problem = frozen_layer_problem(cfg, cfg.retrieval_layer, depth)
        if problem:
            raise StiltsError(f"retrieval_layer: {problem}")


def _prepare(sources: list[str], task: str, start: str, cfg: ExperimentConfig, log, prefix: bool = True) -> dict:
    """Training rows (mixed when several sources), the English dev rows of `task` (XNLI's own English dev
    when it trains on MNLI), features, and a model with a fresh head. With frozen layers (and `prefix`), the
    model is a PrefixModel, and with `feature_cache` its features carry the stored states after the frozen
    layers (stilts.models.feature_cache), built on first use."""
    from accelerate.utils import set_seed
    from transformers import AutoTokenizer

    from stilts.models import freeze, make_model
    from stilts.train.evaluate import make_evaluator
    from stilts.core.features import encode

    spec = get_task(task)
    parts = [train_rows(s, cfg, task) for s in sources]
    train = concatenate_datasets([p.cast(parts[0].features) for p in parts]) if len(parts) > 1 else parts[0]
    dev = dev_rows(spec, cfg)
    tok = AutoTokenizer.from_pretrained(start)
    max_length = cfg.max_length or spec.max_length or 256
    feats, dev_feats = encode(train, spec.kind, tok, max_length), encode(dev, spec.kind, tok, max_length)
    set_seed(cfg.train.seed)  # the new head's initialisation depends on the seed only, not on what ran before
    model = make_model(spec.kind, start, len(spec.labels) if spec.labels else None)
    freeze(model, cfg.freeze_embeddings, cfg.freeze_layers)
    if prefix and cfg.freeze_layers:
        from stilts.models.prefix import PrefixModel

        model = PrefixModel(model, cfg.freeze_layers, loaded=True)   # fresh from disk, frozen
        if cfg.feature_cache:
            from stilts.models.feature_cache import cached_features

            with main_first():   # several processes: the main one builds the store, the others read it
                feats, dev_feats = [cached_features(model.model, model.k, f, tok.pad_token_id, cfg.feature_cache_dtype,
                                                    fingerprint=model.fingerprint, log=log) for f in (feats, dev_feats)]
    elif cfg.feature_cache:
        log("feature cache: off for this stage (it needs freeze_layers >= 1" + (" and one task" if not prefix else "")
            + ")")
    evaluate = make_evaluator(spec.kind, dev, dev_feats, tok.pad_token_id, spec.metric, spec.labels)
    return {"spec": spec, "train": train, "dev": dev, "tok": tok, "feats": feats, "model": model, "evaluate": evaluate,
            "data_note": train_note(sources, cfg)}


def run_multitask_stage(stage: Stage, start: str, cfg: ExperimentConfig, run: Path, log, key: str = "") -> dict:
    from stilts.models import make_model, save_encoder
    from stilts.train.multitask import MultiTaskModel, TaskMix, sampled_batches

    prepared = [_prepare(entry.split("+"), entry_task(entry), start, cfg, log, prefix=False)
                for entry in stage.multitask]
    mix = TaskMix([p["feats"] for p in prepared])
    model = MultiTaskModel([p["model"] for p in prepared])
    names = [p["spec"].name for p in prepared]

    def evaluate(m: MultiTaskModel) -> dict:
        scores = {n: p["evaluate"](head)[p["spec"].metric] for n, p, head in zip(names, prepared, m.heads)}
        return {"mean": sum(scores.values()) / len(scores), **scores}

    epochs = max(stage_epochs(cfg, p["spec"], stage.phase) for p in prepared)
    loop_cfg = cfg.train.__class__(**{**asdict(cfg.train), "epochs": epochs})
    out = run / stage.name
    note = "; ".join(p["data_note"] for p in prepared if p["data_note"])
    if note:
        log(f"[{stage.name}] {note}")
    log(f"[{stage.name}] multi-task over {', '.join(names)} ({cfg.sampling} sampling), "
        f"{len(mix)} training rows; selection on the mean English dev score")
    result = train_loop(model, mix, evaluate, loop_cfg, out, prepared[0]["tok"].pad_token_id, "mean", log=log,
                        plan_batches=sampled_batches(mix, cfg.sampling, cfg.temperature), key=key)
    for i, p in enumerate(prepared if is_main() else []):
        spec = p["spec"]
        best = make_model(spec.kind, out / "best" / f"task{i}", len(spec.labels) if spec.labels else None)
        best.save_pretrained(out / "model" / spec.name)
        if i == 0:
            save_encoder(best, p["tok"], out / "encoder")
    if is_main():
        shutil.rmtree(out / "best", ignore_errors=True)
    return {"stage": stage.name, "metric": "mean of " + ", ".join(p["spec"].metric for p in prepared),
            "dev_en": result["best"], "best_epoch": result["best_epoch"], "steps": result["steps"],
            "train_rows": len(mix), "dev_rows": sum(len(p["dev"]) for p in prepared),
            **({"data_note": note} if note else {})}


def run_retrieval_stage(stage: Stage, start: str, cfg: ExperimentConfig, run: Path, log, key: str = "") -> dict:
    """XTREME-R's retrieval fine-tuning: a dual encoder (`stilts.models.dual_encoder.DualEncoder`) on (query, target) pairs with
    in-batch negatives, selected on a held-out English slice of the same pairs (whole paragraphs or entities; the
    task's own English data is its test set). Saves only the encoder, which `stilts eval` loads with AutoModel."""
    from accelerate.utils import set_seed
    from transformers import AutoModel, AutoTokenizer

    from stilts.models import freeze, save_encoder
    from stilts.models.dual_encoder import DualEncoder
    from stilts.train.evaluate import make_retrieval_evaluator
    from stilts.core.features import encode
    from stilts.train.retrieval_pairs import build_pairs, held_out, with_prefix

    spec = get_task(stage.task)
    pairs = with_prefix(build_pairs(spec.train_pairs, train_rows(stage.sources[0], cfg)), cfg.retrieval_prefix)
    train, dev = held_out(pairs, cfg.dev_limit)
    tok = AutoTokenizer.from_pretrained(start)
    max_length = cfg.max_length or spec.max_length or 256
    feats, dev_feats = encode(train, spec.kind, tok, max_length), encode(dev, spec.kind, tok, max_length)
    set_seed(cfg.train.seed)
    model = DualEncoder(AutoModel.from_pretrained(start), cfg.retrieval_layer, cfg.retrieval_temperature)
    freeze(model.encoder, cfg.freeze_embeddings, cfg.freeze_layers)
    out = run / stage.name
    loop_cfg = cfg.train.__class__(**{**asdict(cfg.train), "epochs": stage_epochs(cfg, spec)})
    log(f"[{stage.name}] dual encoder on {len(train)} {spec.train_pairs} pairs ({stage.sources[0]}), layer "
        f"{model.layer}, prefix {cfg.retrieval_prefix!r}, temperature {cfg.retrieval_temperature}; dev: "
        f"{len(dev)} held-out English pairs; start: encoder of {start}")
    evaluate = make_retrieval_evaluator(dev_feats, tok.pad_token_id, spec.metric)
    result = train_loop(model, feats, evaluate, loop_cfg, out, tok.pad_token_id, spec.metric, log=log, key=key)
    if is_main():
        save_encoder(AutoModel.from_pretrained(out / "best"), tok, out / "encoder")
        shutil.rmtree(out / "best", ignore_errors=True)
    return {"stage": stage.name, "metric": f"{spec.metric} (held-out {stage.sources[0]} pairs)",
            "dev_en": result["best"], "best_epoch": result["best_epoch"], "steps": result["steps"],
            "train_rows": len(train), "dev_rows": len(dev)}


def run_stage(stage: Stage, start: str, cfg: ExperimentConfig, run: Path, log, key: str = "") -> dict:
    from stilts.models import freeze, make_model, save_encoder
    from stilts.models.weights import save_model

    if stage.multitask:
        return run_multitask_stage(stage, start, cfg, run, log, key)
    if get_kind(get_task(stage.task).kind).dual_encoder:
        return run_retrieval_stage(stage, start, cfg, run, log, key)
    p = _prepare(stage.sources, stage.task, start, cfg, log)
    spec, train, dev, tok, feats, model = p["spec"], p["train"], p["dev"], p["tok"], p["feats"], p["model"]
    out = run / stage.name
    loop_cfg = cfg.train.__class__(**{**asdict(cfg.train), "epochs": stage_epochs(cfg, spec, stage.phase)})
    if p["data_note"]:
        log(f"[{stage.name}] {p['data_note']}")
    log(f"[{stage.name}] {len(train)} training rows ({'+'.join(stage.sources)}), dev {len(dev)} English rows, "
        f"start: {'encoder of ' if stage.carry == 'encoder' else 'model of '}{start}")
    result = train_loop(model, feats, p["evaluate"], loop_cfg, out, tok.pad_token_id, spec.metric, log=log,
                        key=key, save=save_model)
    if is_main():   # several processes: one writes the stage's model
        best = make_model(spec.kind, out / "best", len(spec.labels) if spec.labels else None)
        freeze(best, cfg.freeze_embeddings, cfg.freeze_layers)   # what it trained is what its delta holds
        if stage.phase == "intermediate":   # the next phase takes only the encoder (and a new head)
            save_encoder(best, tok, out / "encoder")
        else:                               # the next hidden stage or evaluation takes the whole model
            save_model(best, out / "model", tok)
        shutil.rmtree(out / "best", ignore_errors=True)
    return {"stage": stage.name, "metric": spec.metric, "dev_en": result["best"], "best_epoch": result["best_epoch"],
            "steps": result["steps"], "train_rows": len(train), "dev_rows": len(dev),
            "converged": result["converged"], "last_gain": result["last_gain"], "curve": result["curve"],
            **({"data_note": p["data_note"]} if p["data_note"] else {})}


RUN_MARKERS = ("config.yaml", "stages.json")
RUN_ENTRIES = ("intermediate-", "target-", "hidden-", "phase1-")   # what a run (or a grid cell) holds


def run_experiment(cfg: ExperimentConfig, log=print, overwrite: bool = False) -> dict:
    """Train every stage of `cfg` into its run directory, resuming finished stages. The directory must be
    absent, empty or an earlier run unless `overwrite` (then the old one is moved aside and removed only once
    the new run is complete); one process at a time trains into it."""
    import uuid

    from contextlib import nullcontext

    run = Path(cfg.out)
    check_multiprocess(cfg)
    check_replaceable(run, "stilts train", RUN_MARKERS, overwrite, also_ours=RUN_ENTRIES)   # every process
    barrier()   # ... before the main one writes anything
    main = is_main()
    log = log if main else (lambda message: None)   # several processes: one log
    with output_lock(run, "stilts train") if main else nullcontext():
        aside = None
        if main and overwrite and (run.exists() or run.is_symlink()):
            aside = run.parent / f".{run.name}.replaced-{uuid.uuid4().hex[:8]}"
            os.rename(run, aside)
        barrier()
        from stilts.core.precision import inference_precision

        with inference_precision(cfg.eval_precision):   # every dev evaluation of every stage
            result = _run_experiment(cfg, run, log)
        if aside is not None:
            remove_path(aside)
        barrier()
        return result


def check_multiprocess(cfg: ExperimentConfig) -> None:
    """Under several processes, refuse at the start what one process must do alone: continued MLM and building
    the kit's model train in a loop of their own, which the other processes would not join."""
    if num_processes() == 1:
        return
    if cfg.continued_mlm:
        raise StiltsError(f"continued_mlm under {num_processes()} processes: run it in one process (stilts train "
                          "without accelerate launch), or drop continued_mlm")
    if cfg.model == "kit":
        from stilts.train.mlm import kit_encoder_cached

        if not kit_encoder_cached(cfg.kit):
            raise StiltsError(f"--model kit under {num_processes()} processes: the kit's model is not built yet; "
                              "build it once in one process (stilts train --model kit ... without accelerate "
                              "launch), or pass --model DIR")


def stage_keys(cfg: ExperimentConfig, stages: list[Stage], starts: dict[str, int] | None = None) -> dict[str, str]:
    """Each stage's marker key: the config it trains with (not where it goes; not the target, which only the
    target's own stages name), chained over the stages before it, so that an intermediate stage has the same key
    in every target's run (what `stilts compare` shares between cells). A stage moved past an intermediate
    stage's rows (`disjoint_starts`) keys its first row too."""
    common = {k: v for k, v in cfg.key_dict().items() if k not in ("out", "target")}
    starts = disjoint_starts(cfg, stages) if starts is None else starts
    keys, previous = {"phase1-continued-mlm": key_of("phase1", common)}, key_of("phase1", common)
    for stage in stages:
        built = {s: b.stats()["fingerprint"] for s in stage.sources
                 if (b := BuiltDataset.find(s)) is not None and not b.on_hub}   # a rebuilt dataset is new data
        moved = [{"start": starts[stage.name]}] if stage.name in starts else []
        previous = keys[stage.name] = key_of(previous, asdict(stage), common, built, *moved)
    return keys


def stage_config(cfg: ExperimentConfig, stage: Stage, starts: dict[str, int]) -> ExperimentConfig:
    """The config a stage trains with: its `skip` moved past an intermediate stage's rows where it must be."""
    if stage.name not in starts:
        return cfg
    return replace(cfg, skip={**cfg.skip, stage.task: starts[stage.name]})


def _finished(folder: Path, key: str) -> dict | None:
    """A stage's result when it finished with this key; one line when it finished with another config."""
    marker = read_marker(folder)
    if marker is None:
        return None
    if marker["key"] != key:
        raise StiltsError(f"{folder} finished with another config than this one; pass --overwrite to retrain the "
                          f"run, or choose another --out")
    return marker["result"]


def _run_experiment(cfg: ExperimentConfig, run: Path, log) -> dict:
    run.mkdir(parents=True, exist_ok=True)
    stages = plan(cfg)
    if not stages:
        raise StiltsError(f"nothing to train: {cfg.target} gets no target training here; evaluate the phase-1 "
                          f"model directly (stilts eval --model MODEL --task {cfg.target}) or add --intermediate")
    starts = disjoint_starts(cfg, stages)
    keys = stage_keys(cfg, stages, starts)
    for stage in stages:   # before any work: a run dir holds one config's results, never a mix
        _finished(run / stage.name, keys[stage.name])
    for stage in stages:   # before any training: a later stage's dev rows without gold stop the run now
        if _finished(run / stage.name, keys[stage.name]) is None:
            for task in selection_tasks(stage):
                dev_rows(get_task(task), cfg)
    for stage in stages:
        if stage.name in starts:
            log(f"[rows] {stage.name} reads {stage.sources[0]} from row {starts[stage.name]} (not "
                f"{cfg.skip.get(stage.task, 0)}): past the rows of the intermediate stage on the same task (rows: "
                "disjoint, the default; --set rows=shared trains both on the same rows)")
    disjoint = check_disjoint(stages, lambda stage, source: source_rows(source, stage_config(cfg, stage, starts),
                                                                          stage.task), cfg.require_disjoint)
    for line in disjoint:
        log(f"[rows] {line}")
    record = {"phase1": {"model": cfg.model}, "stages": [asdict(s) for s in stages], "disjoint": disjoint,
              "starts": starts, "processes": num_processes()}
    if is_main():
        (run / "stages.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    with main_first():   # a converted or built phase-1 model: the main process writes it, the others read it
        encoder = base_encoder(cfg, log)
    check_retrieval_layer(cfg, encoder)
    record["phase1"]["encoder"] = encoder
    if cfg.continued_mlm:  # optional: continued MLM on the texts of tasks / advmine datasets, as a baseline
        from stilts.train.mlm import continued_mlm, texts_of_rows

        texts = texts_of_rows([r for s in cfg.continued_mlm for r in train_rows(s, cfg).to_list()])
        loop_cfg = cfg.train.__class__(**{**asdict(cfg.train), "epochs": cfg.epochs.get("mlm", 1)})
        encoder = str(continued_mlm(encoder, texts, run / "phase1-continued-mlm", loop_cfg, log=log,
                                    key=keys["phase1-continued-mlm"]))
        record["phase1"].update(continued_mlm=cfg.continued_mlm, encoder=encoder, mlm_texts=len(texts))
    scores, previous = [], None
    for stage in stages:
        start = encoder if stage.carry == "encoder" or previous is None else str(run / previous / "model")
        folder, key = run / stage.name, keys[stage.name]
        result = _finished(folder, key)
        if result is not None:
            log(f"[{stage.name}] done before: skipped")
        else:
            result = run_stage(stage, start, stage_config(cfg, stage, starts), run, log, key)
            if is_main():
                for name in ("checkpoint", "checkpoint.prev"):  # finished: the marker holds the result
                    shutil.rmtree(folder / name, ignore_errors=True)
                mark_done(folder, key, result=result)
            barrier()   # the next stage starts from what the main process wrote
        scores.append(result)
        if stage.phase == "intermediate":
            encoder = str(folder / "encoder")
        previous = stage.name
    if not is_main():
        return {"run": str(run), "stages": [s.name for s in stages], "scores": scores}
    final = run / previous / ("encoder" if saves_encoder(stages[-1]) else "model")
    link = run / "model"   # a relative link, so a copied or moved run directory stays whole
    if link.exists() or link.is_symlink():
        remove_path(link)
    link.symlink_to(final.relative_to(run), target_is_directory=True)  # retrieval: the encoder itself
    (run / "scores.json").write_text(json.dumps({"english_dev": scores}, indent=1), encoding="utf-8")
    (run / "stages.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    # last: the config that every stage above finished with (an interrupted run has none)
    tmp = run / ".config.yaml.tmp"
    tmp.write_text(yaml.safe_dump(cfg.to_dict(), sort_keys=True), encoding="utf-8")
    tmp.rename(run / "config.yaml")
    return {"run": str(run), "stages": [s.name for s in stages], "scores": scores}
