"""What `stilts eval` does behind its command line: find the model and the tasks of a run, evaluate, write."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from stilts.core.errors import StiltsError
from stilts.core.sources import source_kwargs
from stilts.eval.retrieval import Pooling, RetrievalConfig


def run_tasks(run: str | None, tasks: list[str]) -> list[str]:
    """The tasks asked for, else the run's own target (from its config.yaml)."""
    import yaml

    if not tasks and run and (Path(run) / "config.yaml").is_file():
        target = yaml.safe_load((Path(run) / "config.yaml").read_text()).get("target")
        tasks = [target] if target else []
    if not tasks:
        raise StiltsError("name the task(s) to evaluate: --tasks xnli,tatoeba")
    return tasks


def evaluate_run(run: str | None, model_dir: str | None, tasks: list[str], *, kit: bool = False,
                 data_dir: str | None = None, langs: list[str] | None = None, split: str | None = None,
                 limit: int | None = None, skip: int = 0, pooling: Pooling = RetrievalConfig.pooling,
                 layer: float = RetrievalConfig.layer, out: str | None = None, feature_cache: bool = False,
                 log: Callable[[str], None] = print) -> tuple[str, Path]:
    """Evaluate a run's model (or any model directory) on each task; returns the markdown table and where the
    results went. The destination is checked before minutes of evaluation, not after."""
    from stilts.core.outputs import check_replaceable, output_lock
    from stilts.eval.zero_shot import evaluate_task, markdown_table, write_results

    if not run and not model_dir:
        raise StiltsError("pass a run directory (stilts eval RUN) or --model PATH --task TASK")
    model = model_dir or str(Path(run) / "model")
    if not Path(model).is_dir():
        raise StiltsError(f"{model}: no such model directory")
    names = run_tasks(run, tasks)
    dest = Path(out) if out else Path(run or model_dir) / "eval"
    check_replaceable(dest, "stilts eval", ("results.md",))
    src = source_kwargs(kit, data_dir)
    retrieval = RetrievalConfig(pooling=pooling, layer=layer)
    results = [evaluate_task(model, t, source=src["source"], data_dir=src.get("data_dir"), langs=langs, split=split,
                             limit=limit, skip=skip, retrieval=retrieval, feature_cache=feature_cache, log=log)
               for t in names]
    name = Path(run or model_dir).name
    with output_lock(dest, "stilts eval"):
        table = write_results(results, dest, name)
    return markdown_table(results, name), table.parent
