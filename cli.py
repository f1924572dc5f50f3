"""Console entry points `stilts` and `advmine`: thin click groups over the packages' functions."""
from __future__ import annotations

import sys

import click

from stilts.core.errors import StiltsError, one_line
from stilts.core.precision import PRECISIONS


class OneLineErrors(click.Group):
    """Any error the user can fix ends as one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StiltsError as e:
            click.echo(f"error: {one_line(str(e))}", err=True)
            sys.exit(2)


def source_options(f):
    """--data-dir / --kit / --hub: where task data comes from (the hub by default)."""
    f = click.option("--kit", is_flag=True, help="Use the embedded kit (offline, small, synthetic).")(f)
    f = click.option("--data-dir", type=click.Path(file_okay=False), help="A directory of the tasks' original files.")(f)
    return f


def _split(items: str | None) -> list[str]:
    """A comma-separated option as a list (empty when not given)."""
    return [x for x in (items or "").split(",") if x]


def _log(message: str) -> None:
    click.echo(message, err=True)


@click.group(cls=OneLineErrors)
def stilts() -> None:
    """Three-phase XLM-R training (STILTs) and zero-shot XTREME-R evaluation."""


@stilts.command("tasks")
@source_options
@click.option("--no-probe", is_flag=True, help="Do not probe the hub (report it as unreachable).")
@click.option("--check-hub", is_flag=True, help="With internet: load a few rows of every task x language and "
              "every default model id; one row each, ok or why not.")
@click.option("--tasks", "only_tasks", help="With --check-hub: only these tasks (comma-separated).")
@click.option("--langs", help="With --check-hub: only these languages.")
def stilts_tasks(kit: bool, data_dir: str | None, no_probe: bool, check_hub: bool, only_tasks: str | None,
                 langs: str | None) -> None:
    """Print the task registry and which sources can serve each task right now."""
    if check_hub:
        from stilts.compare.command import check_hub as run_check

        text, failed = run_check(_split(only_tasks) or None, _split(langs) or None)
        click.echo(text)
        if failed:
            raise SystemExit(1)
        return
    from stilts.core.tasks.table import format_table, task_rows

    click.echo(format_table(task_rows(data_dir, probe_hub=not no_probe)))


@stilts.command("show")
@click.argument("task", required=False)
@click.option("--split", default="train", show_default=True)
@click.option("--lang", default=None, help="Language (default: the task's training language).")
@source_options
@click.option("--layout", default=None, help="A named file layout of the task (see its spec).")
@click.option("--variant", default=None, help="A variant of the layout (e.g. a k-shot seed).")
@click.option("--data-files", multiple=True, help="Any dataset: local jsonl/json/csv/tsv/parquet file(s).")
@click.option("--hub-id", default=None, help="Any dataset: a hub id (with --columns).")
@click.option("--columns", default=None, help="FIELD=COLUMN,... into the unified schema, e.g. text_a=premise,...")
@click.option("--labels", default=None, help="Label names in class order, e.g. entailment,neutral,contradiction.")
@click.option("--rows", default=3, show_default=True, help="How many rows to print.")
@click.option("--require-labels", is_flag=True, help="Fail if the split has no gold labels (as scoring does).")
def stilts_show(task, split, lang, kit, data_dir, layout, variant, data_files, hub_id, columns, labels, rows,
                require_labels) -> None:
    """Load one split of a task (or any dataset by column mapping) and print a summary and a few rows."""
    from stilts.core.tasks.show import show_split

    for line in show_split(task, split, lang, kit=kit, data_dir=data_dir, layout=layout, variant=variant,
                           data_files=list(data_files), hub_id=hub_id, columns=columns, labels=labels, rows=rows,
                           require_labels=require_labels):
        click.echo(line)


@stilts.command("train")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="An experiment YAML.")
@click.option("--intermediate", help="Intermediate task(s): mnli | an advmine dir | mnli+DIR (mixed); comma = multi-task.")
@click.option("--target", help="Target task (English training data; XCOPA's hidden stages included).")
@click.option("--out", help="Run directory.")
@click.option("--model", help="Phase-1 model: xlm-roberta-large (default), a hub id, a local dir, e5-small (offline real "
              "encoder, the --kit default) or kit (tiny, tests).")
@source_options
@click.option("--limit", type=int, help="First N training rows per task (smoke runs).")
@click.option("--set", "sets", multiple=True, help="Any config key: --set train.lr=2e-5 --set epochs.xnli=1")
@click.option("--overwrite", is_flag=True, help="Replace --out even when it is not an earlier run.")
def stilts_train(config_file, kit, data_dir, sets, overwrite, **opts) -> None:
    """Three-phase training: pretrained MLM -> intermediate task -> English target task."""
    from stilts.core.overrides import parse_sets
    from stilts.train.command import train, train_overrides

    click.echo(train(config_file, train_overrides(opts, kit, data_dir, parse_sets(sets)), overwrite, log=_log))


@stilts.command("eval")
@click.argument("run", required=False, type=click.Path())
@click.option("--model", "model_dir", type=click.Path(), help="Any model directory instead of a run.")
@click.option("--tasks", "--task", "tasks", help="Comma-separated tasks (default: the run's target).")
@source_options
@click.option("--langs", help="Only these languages (default: all of the task's).")
@click.option("--split", help="Split to predict (default: the task's evaluation split).")
@click.option("--limit", type=int, help="First N rows per language (quick looks).")
@click.option("--skip", type=int, default=0, help="Leave out the first N rows (the part of a split used for "
              "English model selection, when dev is cut into selection and test).")
@click.option("--pooling", type=click.Choice(["mean", "cls"]), default="mean", show_default=True)
@click.option("--layer", help="Retrieval layer: a fraction of the depth in (0, 1) (XTREME: 0.583, i.e. 14 of 24), "
              "a layer number 1..N, or -N..-1 from the top (-1: the last). 1.0 is refused as ambiguous: write 1 for "
              "the first layer, -1 for the last. Default: the run's config, else the model's profile (e5-small and "
              "models trained from it: -1; XLM-R and others: 0.583).")
@click.option("--prefix", help="Text put before every retrieval sentence; --prefix '' for none. Default: the run's "
              "config, else the model's profile (e5-small: 'query: '; others: none).")
@click.option("--out", help="Where results go (default: RUN/eval, or MODEL-eval beside a --model directory).")
@click.option("--feature-cache", is_flag=True,
              help="Read the stored states after the model's frozen layers (a model trained with freeze_layers).")
@click.option("--precision", type=click.Choice(PRECISIONS), default="auto", show_default=True,
              help="Inference autocast: auto is bf16 on a GPU that has it, else fp32; bf16 asks for it on a CPU too.")
def stilts_eval(run, model_dir, tasks, kit, data_dir, langs, split, limit, skip, pooling, layer, prefix, out,
                feature_cache, precision) -> None:
    """Zero-shot evaluation on every language of a task, with the benchmark's own metric."""
    from stilts.eval.command import evaluate_run

    table, written = evaluate_run(run, model_dir, _split(tasks), kit=kit, data_dir=data_dir,
                                  langs=_split(langs) or None, split=split, limit=limit, skip=skip, pooling=pooling,
                                  layer=layer, prefix=prefix, out=out, feature_cache=feature_cache,
                                  precision=precision, log=_log)
    click.echo(table)
    click.echo(f"written: {written}")


@stilts.command("compare")
@click.argument("grid_file", required=False, type=click.Path(dir_okay=False))
@click.option("--out", help="Grid directory (default: the grid's `out`).")
@source_options
@click.option("--set", "sets", multiple=True, help="Any grid key: --set seeds=[0,1] --set experiment.limit=500")
@click.option("--list", "list_cells", is_flag=True, help="Print the cells and their status, run nothing.")
@click.option("--prepare", is_flag=True, help="Only build the grid's advmine datasets (before sharded jobs).")
@click.option("--shard", help="Run every N-th cell: I/N (one job per GPU or cluster task).")
@click.option("--cell", "only", multiple=True, help="Run only this cell (CONDITION/TARGET/seedK), repeatable.")
@click.option("--report-only", is_flag=True, help="Only collect finished cells into report.md and plots.")
@click.option("--force", is_flag=True, help="Retrain cells that were run with another config.")
@click.option("--targets", help="Only these targets, comma-separated (a grid run in parts by target, each its own --out).")
def stilts_compare(grid_file, out, kit, data_dir, sets, list_cells, prepare, shard, only, report_only, force,
                   targets) -> None:
    """Run the experiment grid (conditions x targets x seeds) and report paired bootstrap CIs vs the baseline."""
    from stilts.compare.command import compare, grid_overrides
    from stilts.core.overrides import parse_sets

    compare(grid_file, grid_overrides(out, kit, data_dir, parse_sets(sets)), list_only=list_cells, prepare=prepare,
            shard=shard, only=list(only), report_only=report_only, force=force,
            targets=[t for t in (targets or "").split(",") if t], echo=click.echo, log=_log)


@click.group(cls=OneLineErrors)
def advmine() -> None:
    """Build multilingual adversarial intermediate-task datasets (translate, perturb, embed, select)."""


@advmine.command("build")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="A build YAML (CLI options override it).")
@click.option("--task", help="An English task of the registry (e.g. mnli).")
@click.option("--langs", help="Target languages, comma-separated (e.g. sw,th,ar).")
@click.option("--out", help="Output directory (written atomically).")
@source_options
@click.option("--splits", help="Source splits to build (default: train).")
@click.option("--layout", help="A named file layout of the task (--data-dir).")
@click.option("--variant", help="A variant of that layout.")
@click.option("--skip", type=int, help="Skip the first N rows of each split (before --limit).")
@click.option("--limit", type=int, help="Only the first N rows of each split (a documented slice).")
@click.option("--translator", help="identity | dictionary | apertium | reference | marian | nllb | m2m100 "
              "(default: dictionary).")
@click.option("--model-id", help="Translation model: hub id or local dir; {lang} is replaced by the target.")
@click.option("--num-beams", type=int, help="Beam size (1 = greedy).")
@click.option("--max-tokens", type=int, help="Token budget per translation batch.")
@click.option("--langid", type=click.Choice(["flag", "drop", "off"]), help="Language-ID check of outputs.")
@click.option("--quality", type=click.Choice(["flag", "drop", "off"]),
              help="chrF++/BLEU against human references (round trip without); flag or drop rows below quality.floor.")
@click.option("--include-source", is_flag=True, default=None, help="Keep the English rows too.")
@click.option("--seed", type=int)
@click.option("--num-shards", type=int, help="Build one deterministic shard of N ...")
@click.option("--shard-index", type=int, help="... this one (0-based); join them with `advmine merge`.")
@click.option("--cache-dir", help="Translation cache directory (default ~/.cache/advmine or $ADVMINE_CACHE).")
@click.option("--push-to-hub", help="Also upload to this hub dataset repo after writing locally.")
@click.option("--perturb", multiple=True, help="NAME[:k=v,...], repeatable: codeswitch, char-swap, qwerty, wordnet, ...")
@click.option("--select", help="Selector: knn-disagreement | aflite | model-margin | cartography | "
              "cross-lingual-disagreement | random.")
@click.option("--budget", type=float, help="Rows to keep per language: a fraction in (0, 1] or a count.")
@click.option("--embedder", help="e5-small (default, offline real encoder) | hashing | sentence-transformers | minilm-en.")
@click.option("--embed-model", help="Embedding model: hub id or local dir (sentence-transformers).")
@click.option("--index", help="faiss index: auto | flat | ivf | hnsw.")
@click.option("--contamination", help="auto (with --select) | all | off | task,task,...")
@click.option("--contamination-mode", type=click.Choice(["flag", "drop"]))
@click.option("--set", "sets", multiple=True, help="Any config key: --set translator.dtype=fp16")
@click.option("--data-files", multiple=True, help="Your own file(s) of the task's rows instead of its source: "
              "jsonl/json/csv/tsv/parquet, validated as `stilts show` does.")
@click.option("--columns", help="With --data-files: FIELD=COLUMN,... into the task kind's schema.")
@click.option("--labels", help="With --data-files: label names in class order (default: the task's).")
@click.option("--overwrite", is_flag=True, help="Replace --out (atomically) even when it is not an earlier build.")
def advmine_build(config_file, kit, data_dir, sets, overwrite, **opts) -> None:
    """Build a multilingual adversarial dataset from an English task:
    load -> translate -> langid -> quality -> perturb -> embed -> select -> contamination -> write."""
    from advmine.command import build_from_options, build_overrides
    from stilts.core.overrides import parse_sets

    build_from_options(config_file, build_overrides(opts, kit, data_dir, parse_sets(sets)), overwrite, log=_log)


@advmine.command("inspect")
@click.argument("path", type=click.Path())
@click.option("--rows", default=2, show_default=True, help="Rows to show per language.")
def advmine_inspect(path: str, rows: int) -> None:
    """Print a built dataset's stats and a few rows per language."""
    from advmine.inspect_dataset import inspect_text

    click.echo(inspect_text(path, rows))


@advmine.command("merge")
@click.argument("shards", nargs=-1, required=True)
@click.option("--out", required=True, help="Where the merged dataset goes.")
def advmine_merge(shards: tuple[str, ...], out: str) -> None:
    """Join the shards of a sharded build (in the order given) into one dataset."""
    from advmine.inspect_dataset import merge

    click.echo(f"wrote {out}: fingerprint {merge(list(shards), out)}")


@advmine.command("push")
@click.argument("path", type=click.Path())
@click.argument("repo_id")
def advmine_push(path: str, repo_id: str) -> None:
    """Upload a built dataset (parquet + card) to the hub."""
    from advmine.build import push
    from advmine.inspect_dataset import open_built

    open_built(path)
    push(path, repo_id)


@advmine.command("tasks")
@source_options
@click.option("--no-probe", is_flag=True, help="Do not probe the hub.")
@click.pass_context
def advmine_tasks(ctx: click.Context, kit: bool, data_dir: str | None, no_probe: bool) -> None:
    """The tasks advmine can read (the same registry as `stilts tasks`)."""
    ctx.invoke(stilts_tasks, kit=kit, data_dir=data_dir, no_probe=no_probe)


if __name__ == "__main__":
    stilts()
