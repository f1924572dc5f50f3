"""The one training loop, used by every phase (MLM, intermediate, target). Read it top to bottom.

AdamW (no decay on biases and LayerNorm), a learning rate that is a pure function of the step (linear
warm-up, linear decay), gradient accumulation, clipping, dynamic padding with length-grouped batches,
evaluation on the English dev set after every epoch (and every `eval_every` steps) with the best evaluation
kept, its learning curve in `curve.json`, checkpoints that resume mid-epoch to the same weights (the trainable
weights, optimizer, step, batch position and every RNG are saved), a progress bar, and metrics to
`metrics.jsonl` and TensorBoard. `accelerate` handles devices and mixed precision.
"""
from __future__ import annotations

import json
import math
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np
import torch
from tqdm.auto import tqdm

from stilts.core.errors import StiltsError
from stilts.core.outputs import verify_tree, write_tree_checksums
from stilts.core.batching import collate, length_grouped_batches


@dataclass(frozen=True)
class LoopConfig:
    lr: float = 1e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    epochs: float = 2
    batch_size: int = 4               # rows per micro-batch, split across processes (accelerate launch)
    grad_accum: int = 8               # effective batch = batch_size x grad_accum, whatever the process count
    max_grad_norm: float = 1.0
    seed: int = 0
    mixed_precision: Literal["auto", "no", "fp16", "bf16"] = "auto"   # auto: bf16 on a GPU that has it, else fp32
    length_grouping: bool = True
    checkpoint_every: int = 200       # optimizer steps; also at every epoch end
    eval_every: int = 0               # optimizer steps between English dev evaluations (0: at epoch ends only)
    log_every: int = 10
    max_steps: int | None = None      # stop early (smoke tests); the schedule still spans all epochs
    compile: bool = False             # torch.compile the forward pass (GPU runs: see bench/bench_gpu_mfu.py)


def lr_at(step: int, total: int, warmup: int, base: float) -> float:
    """Linear warm-up to `base` over `warmup` steps, then linear decay to 0 at `total`."""
    if step < warmup:
        return base * (step + 1) / max(warmup, 1)
    return base * max(0.0, (total - step) / max(total - warmup, 1))


def _rng_state() -> dict:
    """Every RNG, as tensors and plain values only, so the checkpoint loads with weights_only=True."""
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    return {"torch": torch.get_rng_state(), "numpy": [name, torch.from_numpy(keys.astype(np.int64)), pos,
                                                      has_gauss, gauss],
            "python": list(random.getstate()), "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}


def _set_rng_state(s: dict) -> None:
    torch.set_rng_state(s["torch"])
    name, keys, pos, has_gauss, gauss = s["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    version, internal, gauss_next = s["python"]
    random.setstate((version, tuple(internal), gauss_next))
    if s["cuda"]:
        torch.cuda.set_rng_state_all(s["cuda"])


def train_loop(model: Any, train: Any, evaluate: Callable[[Any], dict], cfg: LoopConfig, out: Path,
               pad_id: int, metric: str, higher_is_better: bool = True, log: Callable[[str], None] = print,
               plan_batches: Callable[..., list[list[int]]] = length_grouped_batches, key: str = "",
               save: Callable[[Any, Path], Any] | None = None) -> dict:
    """Train `model` on tokenised `train`; `evaluate(model) -> {metric: value, ...}` scores English dev.
    `plan_batches(lengths, batch_size, seed, epoch, group)` orders an epoch (multi-task passes its own). `key`
    names what is trained (the stage's marker key): a checkpoint saved under another key or loop config is
    refused, in one line, instead of being resumed into a run it does not belong to. `save(model, dir)` writes
    the best model (default: `save_pretrained`)."""
    from stilts.models.weights import load_trainable, trainable_state

    from accelerate import Accelerator
    from accelerate.utils import set_seed

    out.mkdir(parents=True, exist_ok=True)
    precision = cfg.mixed_precision
    if precision == "auto":
        precision = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"
    acc = Accelerator(mixed_precision=precision)
    set_seed(cfg.seed)

    # ---- optimiser and schedule -------------------------------------------------------------------------------
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
    groups = [{"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
               "weight_decay": cfg.weight_decay},
              {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0}]
    fused = acc.device.type == "cuda"  # one kernel for the whole update (1.18x per step on an H200)
    if fused:
        model.to(acc.device)
    optimizer = torch.optim.AdamW(groups, lr=cfg.lr, eps=1e-8, fused=fused)
    lengths = list(train["length"])
    n_batches = math.ceil(len(lengths) / cfg.batch_size)
    steps_per_epoch = math.ceil(n_batches / cfg.grad_accum)
    total = max(1, int(steps_per_epoch * cfg.epochs))
    warmup = int(cfg.warmup_ratio * total)

    # ---- resume -----------------------------------------------------------------------------------------------
    state = {"epoch": 0, "batch": 0, "step": 0, "best": None, "best_epoch": None, "curve": []}
    ckpt, prev = out / "checkpoint", out / "checkpoint.prev"
    for candidate in (ckpt, prev):
        if not (candidate / "state.pt").is_file():
            continue
        try:
            verify_tree(candidate, "checkpoint")
            saved = torch.load(candidate / "state.pt", weights_only=True)
        except (StiltsError, RuntimeError, OSError, EOFError, KeyError, ValueError) as e:
            _unusable(candidate, e, candidate == ckpt, log)
            continue
        _same_run(candidate, saved, asdict(cfg), key)
        try:
            load_trainable(model, torch.load(candidate / "model.pt", weights_only=True), candidate)
            optimizer.load_state_dict(saved["optimizer"])
        except (StiltsError, RuntimeError, OSError, EOFError, KeyError, ValueError) as e:
            _unusable(candidate, e, candidate == ckpt, log)
            continue
        state = {"curve": [], **saved["state"]}
        _set_rng_state(saved["rng"])
        log(f"resumed from {candidate.name} at epoch {state['epoch']}, batch {state['batch']}, step {state['step']}")
        break
    model, optimizer = acc.prepare(model, optimizer)
    # Compiled forward, same parameters: saving, evaluation and checkpoints use the plain module.
    forward = torch.compile(model, dynamic=True) if cfg.compile else model
    writer = _tensorboard(out, acc)
    metrics_file = out / "metrics.jsonl"

    def record(entry: dict) -> None:
        if acc.is_main_process:
            with open(metrics_file, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
            for k, v in entry.items():
                if isinstance(v, (int, float)) and k not in ("step", "epoch") and writer:
                    writer.add_scalar(k, v, entry["step"])

    def checkpoint() -> None:
        if not acc.is_main_process:
            return
        tmp = out / "checkpoint.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        torch.save(trainable_state(acc.unwrap_model(model)), tmp / "model.pt")
        torch.save({"optimizer": optimizer.state_dict(), "state": state, "rng": _rng_state(),
                    "config": asdict(cfg), "key": key}, tmp / "state.pt")
        write_tree_checksums(tmp)
        shutil.rmtree(prev, ignore_errors=True)   # keep the last two: a corrupt newest one falls back
        if ckpt.exists():
            ckpt.rename(prev)
        tmp.rename(ckpt)

    def dev_eval(epoch_end: bool) -> None:
        """Score English dev; keep the best model; add the point to the learning curve."""
        scores = evaluate(acc.unwrap_model(model))
        value = scores[metric]
        stats = getattr(evaluate, "last_stats", None)
        point = {"step": state["step"], "epoch": state["epoch"] + (1 if epoch_end else state["batch"] / n_batches),
                 metric: value}
        if stats is not None and state.get("best_stats") is not None and higher_is_better:
            point["vs_best"] = paired_gain(metric, stats, state["best_stats"].numpy(), state["step"])
        better = state["best"] is None or (value > state["best"] if higher_is_better else value < state["best"])
        if better:   # every process keeps the same state (each scored all dev rows with the same weights) ...
            state.update(best=value, best_epoch=state["epoch"])
            if stats is not None:
                state["best_stats"] = torch.from_numpy(np.asarray(stats, dtype=np.float64))
            if acc.is_main_process:   # ... and the main one writes
                (save or (lambda m, p: m.save_pretrained(p)))(acc.unwrap_model(model), out / "best")
        state["curve"].append(point)
        record({"step": state["step"], "epoch": state["epoch"], **{f"dev_{k}": v for k, v in scores.items()}})
        if acc.is_main_process:
            write_curve(out, state["curve"], metric, higher_is_better)
        log(f"epoch {point['epoch']:.2f} (step {state['step']}): dev {metric} = {value:.4f}"
            + (" (best)" if better else ""))

    # ---- epochs -----------------------------------------------------------------------------------------------
    epochs = math.ceil(cfg.epochs)
    bar = tqdm(total=total, initial=state["step"], desc=f"train {out.name}", disable=not acc.is_main_process)
    done = False
    t0, tokens = time.perf_counter(), 0
    while state["epoch"] < epochs and not done:
        model.train()
        batches = plan_batches(lengths, cfg.batch_size, cfg.seed, state["epoch"], cfg.length_grouping)
        n_batches = len(batches)
        last = n_batches if cfg.epochs >= state["epoch"] + 1 else int(n_batches * (cfg.epochs - state["epoch"]))
        for b in range(state["batch"], last):
            idx = batches[b][acc.process_index::acc.num_processes] or batches[b]
            batch = {k: v.to(acc.device) for k, v in collate(train.select(idx).to_list(), pad_id).items()}
            tokens += int(batch["attention_mask"].sum())
            with acc.autocast():
                loss = forward(**batch).loss / cfg.grad_accum
            acc.backward(loss)
            if (b + 1) % cfg.grad_accum and b + 1 < last:
                continue
            acc.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
            for g in optimizer.param_groups:
                g["lr"] = lr_at(state["step"], total, warmup, cfg.lr)
            optimizer.step()
            optimizer.zero_grad()
            state["step"] += 1
            state["batch"] = b + 1
            bar.update(1)
            if state["step"] % cfg.log_every == 0:
                record({"step": state["step"], "epoch": state["epoch"], "loss": loss.item() * cfg.grad_accum,
                        "lr": optimizer.param_groups[0]["lr"],
                        "tokens_per_s": tokens / max(time.perf_counter() - t0, 1e-9)})
            if cfg.eval_every and state["step"] % cfg.eval_every == 0 and b + 1 < last:
                dev_eval(epoch_end=False)
            if state["step"] % cfg.checkpoint_every == 0:
                checkpoint()
            if cfg.max_steps and state["step"] >= cfg.max_steps:
                done = True
                break
        # ---- evaluate on English dev; keep the best evaluation ---------------------------------------------
        dev_eval(epoch_end=True)
        state.update(epoch=state["epoch"] + 1, batch=0)
        checkpoint()
    bar.close()
    if writer:
        writer.close()
    acc.wait_for_everyone()   # several processes: the best model is on disk before any of them reads it
    return {"best": state["best"], "best_epoch": state["best_epoch"], "steps": state["step"],
            "tokens_per_s": tokens / max(time.perf_counter() - t0, 1e-9), "curve": state["curve"],
            **convergence(state["curve"], metric, higher_is_better)}


CURVE = "curve.json"
GAIN_POINTS = 1.0   # a stage whose last evaluation still beat every earlier one by more than this is unconverged
RULE = (f"its last English dev evaluation beat the best earlier one by more than {GAIN_POINTS:g} point and, where "
        "the dev metric is scored per example, the gain's paired-bootstrap 95% interval over the dev "
        "rows lies above 0")


def paired_gain(metric: str, stats: np.ndarray, best: np.ndarray, step: int, replicates: int = 1000) -> dict:
    """This evaluation minus the best earlier one on the same dev rows, with its paired-bootstrap interval (rows
    drawn with replacement, both evaluations scored on each draw): on 100 COPA dev rows a 3-row swing is 3 points."""
    from stilts.eval.bootstrap import paired_difference

    d = paired_difference(metric, [stats], [best], replicates=replicates, seed=step, key="english-dev")
    return {"gain": round(d["diff"], 4), "lo": round(d["lo"], 4), "hi": round(d["hi"], 4)}


def convergence(curve: list[dict], metric: str, higher_is_better: bool = True) -> dict:
    """`converged` is False when the last dev evaluation beat the best earlier one by more than GAIN_POINTS (in
    the metric's points, 0-100) and, when the loop could test it (`vs_best`: the dev metric has per-example
    statistics), by more than the dev rows' noise (the paired interval's lower end above 0): the training still
    reaches new highs. Measured against the best earlier evaluation, not the one just before, so that a curve
    that peaked, dipped and came back is not read as still climbing; a rising curve reads the same under both.
    None when there is only one evaluation (nothing to compare)."""
    if len(curve) < 2:
        return {"converged": None, "last_gain": None}
    earlier, last = [p[metric] for p in curve[:-1]], curve[-1][metric]
    gain = (last - max(earlier)) if higher_is_better else (min(earlier) - last)
    test = curve[-1].get("vs_best")
    within_noise = test is not None and test["lo"] <= 0
    out = {"converged": bool(gain <= GAIN_POINTS or within_noise), "last_gain": float(gain)}
    if test is not None:
        out["gain_interval"] = [test["lo"], test["hi"]]
    return out


def write_curve(out: Path, curve: list[dict], metric: str, higher_is_better: bool = True) -> None:
    """The stage's English dev learning curve beside its checkpoint, atomically."""
    tmp = out / f".{CURVE}.tmp"
    tmp.write_text(json.dumps({"metric": metric, "higher_is_better": higher_is_better, "points": curve,
                               **convergence(curve, metric, higher_is_better)}, indent=1), encoding="utf-8")
    tmp.replace(out / CURVE)


def _unusable(candidate: Path, e: Exception, newest: bool, log: Callable[[str], None]) -> None:
    log(f"checkpoint {candidate} is unusable ({' '.join(str(e).split())[:160]}): "
        + ("trying the previous one" if newest else "starting the stage from its beginning"))


def _same_run(candidate: Path, saved: dict, config: dict, key: str) -> None:
    """One line when a checkpoint was made for another stage key or loop config (which fields differ)."""
    before = saved.get("config") or {}
    changed = [f"{k}: {before.get(k)!r} -> {v!r}" for k, v in config.items() if before.get(k) != v]
    if saved.get("key", "") != key:
        changed.insert(0, "the stage's config or data")
    if changed:
        raise StiltsError(f"{candidate} was made with another config ({'; '.join(changed)}); remove "
                          f"{candidate.parent} to train this stage afresh, or rerun with the config it was made with")


def _tensorboard(out: Path, acc: Any):
    if not acc.is_main_process:
        return None
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(str(out / "tensorboard"))
