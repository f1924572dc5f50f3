"""What `stilts eval` does behind its command line: find the model and the tasks of a run, evaluate, write."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from stilts.core.errors import StiltsError
from stilts.core.sources import source_kwargs
from stilts.eval.retrieval import Pooling, RetrievalConfig, config_for
from stilts.models.retrieval_profile import RetrievalProfile, family_of, profile_of


def run_config(run: str | None) -> dict:
    """A run's config.yaml (empty when there is none)."""
    import yaml

    path = Path(run) / "config.yaml" if run else None
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path and path.is_file() else {}


def run_tasks(run: str | None, tasks: list[str]) -> list[str]:
    """The tasks asked for, else the run's own target (from its config.yaml)."""
    if not tasks:
        target = run_config(run).get("target")
        tasks = [target] if target else []
    if not tasks:
        raise StiltsError("name the task(s) to evaluate: --tasks xnli,tatoeba")
    return tasks


def retrieval_defaults(run: str | None, model: str) -> RetrievalProfile:
    """How to read a run's encoder when no option says: the layer and prefix its config.yaml records (runs record
    a prefix since profiles exist), else the family of its phase-1 model (a run whose stages saved whole models
    has no base.json naming it), else the model directory's own profile."""
    cfg = run_config(run)
    if "retrieval_prefix" in cfg and "retrieval_layer" in cfg:
        return RetrievalProfile(cfg["retrieval_layer"], cfg["retrieval_prefix"])
    phase1 = cfg.get("model")
    return profile_of(phase1 if isinstance(phase1, str) and family_of(phase1) else model)[1]


def evaluate_run(run: str | None, model_dir: str | None, tasks: list[str], *, kit: bool = False,
                 data_dir: str | None = None, langs: list[str] | None = None, split: str | None = None,
                 limit: int | None = None, skip: int = 0, pooling: Pooling = RetrievalConfig.pooling,
                 layer: str | float | None = None, prefix: str | None = None, out: str | None = None,
                 feature_cache: bool = False, precision: str = "auto",
                 log: Callable[[str], None] = print) -> tuple[str, Path]:
    """Evaluate a run's model (or any model directory) on each task; returns the markdown table and where the
    results went. The destination is checked before minutes of evaluation, not after. `layer` and `prefix`
    (None: the run's or model's own, `retrieval_defaults`) say how retrieval tasks read the encoder."""
    from stilts.core.outputs import check_replaceable, output_lock
    from stilts.eval.zero_shot import evaluate_task, markdown_table, write_results

    if not run and not model_dir:
        raise StiltsError("pass a run directory (stilts eval RUN) or --model PATH --task TASK")
    model = model_dir or str(Path(run) / "model")
    if not Path(model).is_dir():
        raise StiltsError(f"{model}: no such model directory")
    names = run_tasks(run, tasks)
    dest = Path(out) if out else default_dest(run, model_dir)
    check_replaceable(dest, "stilts eval", ("results.md",))
    src = source_kwargs(kit, data_dir)
    retrieval = config_for(model, retrieval_defaults(run, model), pooling=pooling, layer=parse_layer(layer),
                           prefix=prefix)
    results = [evaluate_task(model, t, source=src["source"], data_dir=src.get("data_dir"), langs=langs, split=split,
                             limit=limit, skip=skip, retrieval=retrieval, feature_cache=feature_cache,
                             precision=precision, log=log)
               for t in names]
    name = Path(run or model_dir).name
    with output_lock(dest, "stilts eval"):
        table = write_results(results, dest, name)
    return markdown_table(results, name), table.parent


def default_dest(run: str | None, model_dir: str | None) -> Path:
    """RUN/eval for a run; beside a --model directory (MODEL-eval), never inside it: a converted model's directory
    is a model cache that a later conversion may replace, and a model directory should hold the model only."""
    if run:
        return Path(run) / "eval"
    model = Path(model_dir).resolve()   # type: ignore[arg-type]
    return model.parent / f"{model.name}-eval"


def parse_layer(text: str | float | None) -> float | None:
    """A --layer value as written: "12" and "-1" are layer numbers (int), "0.5" a fraction (float); "1.0" stays
    a float, which RetrievalConfig refuses as ambiguous rather than reading it as the first layer."""
    if text is None or isinstance(text, (int, float)):
        return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise StiltsError(f"--layer {text!r} is not a number") from None
