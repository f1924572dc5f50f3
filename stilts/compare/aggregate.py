"""From finished cells to one results object (written as results.json): per condition, task, language and seed
the score; means, standard deviations and bootstrap intervals; paired differences to the baseline per language,
per task average, for the XTREME-R style average and per language family / script; and what the report needs
to describe each condition (stages, training rows, English dev scores, contamination) and each cell's stages'
learning curves with the training loop's convergence verdict (stilts.compare.curves)."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from stilts.eval import bootstrap as bs
from stilts.compare.curves import cell_curves
from stilts.compare.grid import Cell, GridConfig, cell_dir, cells, dataset_dir, refs_of
from stilts.core.built_dataset import BuiltDataset
from stilts.compare.runner import CELL_MARKER
from stilts.core.markers import read_marker
from stilts.core.errors import StiltsError
from stilts.eval.metrics import get_metric

LANGUAGES = Path(__file__).with_name("languages.yaml")


def language_table() -> dict[str, dict[str, str]]:
    return yaml.safe_load(LANGUAGES.read_text(encoding="utf-8"))


def _finished(grid: GridConfig) -> dict[tuple[str, str, int], dict]:
    """(condition, target, seed) -> the cell's eval result, for cells whose cell.json and eval file exist."""
    out = {}
    for cell in cells(grid):
        d = cell_dir(grid, cell)
        meta = read_marker(d, CELL_MARKER)
        if meta is None:
            continue
        f = d / "eval" / f"{cell.target}.json"
        if f.is_file():
            out[(cell.condition, cell.target, cell.seed)] = {"meta": meta, "eval": json.loads(f.read_text()), "dir": d}
    return out


def _summary(values: list[float]) -> dict:
    return {"mean": float(np.mean(values)), "std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
            "n": len(values)}


def _ci(reps: np.ndarray) -> dict:
    lo, hi = bs.interval(reps)
    return {"lo": lo, "hi": hi}


def collect(grid: GridConfig) -> dict[str, Any]:
    done = _finished(grid)
    if not done:
        raise StiltsError(f"{grid.out}: no finished cells yet (run `stilts compare` on the grid first)")
    conds = [c for c in grid.conditions if any(k[0] == c for k in done)]
    tasks: dict[str, dict] = {}
    # stats[cond][task][lang][seed] = (ids, n x c) ; raw[cond][task][lang][seed] = eval score
    stats: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    raw: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for (cond, task, seed), cell in done.items():
        ev = cell["eval"]
        metric = get_metric(ev["metric"])
        tasks.setdefault(task, {"metric": ev["metric"], "score": metric.leaderboard or "main score",
                                "bootstrap": metric.per_example is not None, "langs": []})
        if ev.get("retrieval"):   # how the encoder was read; a layer inside a frozen prefix in any cell is kept
            first = tasks[task].setdefault("retrieval", dict(ev["retrieval"]))
            first["in_frozen_prefix"] = bool(first["in_frozen_prefix"] or ev["retrieval"]["in_frozen_prefix"])
        for lang, entry in ev["languages"].items():
            if entry.get("score") is None:
                continue
            if lang not in tasks[task]["langs"]:
                tasks[task]["langs"].append(lang)
            if metric.per_example is not None:
                ids, st = bs.example_stats(ev["metric"], entry["predictions"], lang)
                stats[cond][task][lang][seed] = (ids, st)
                raw[cond][task][lang][seed] = bs.score(ev["metric"], st)
            else:
                raw[cond][task][lang][seed] = entry["score"]
    B, rseed = grid.bootstrap, grid.bootstrap_seed
    result: dict[str, Any] = {"grid": _grid_info(grid, conds), "tasks": tasks, "scores": {}, "task_avg": {},
                              "xtreme_avg": {}, "delta": {}, "delta_task_avg": {}, "delta_xtreme": {},
                              "delta_groups": {}, "cells": {k[0] + "/" + k[1] + f"/seed{k[2]}": v["meta"]
                                                            for k, v in done.items()},
                              "curves": [c for k, v in done.items() if v["meta"].get("trained", True)   # else no
                                         for c in cell_curves(v["dir"], *k)]}                           # stage to converge
    # One condition alone: scores with intervals over examples and its own seeds.
    for cond in conds:
        result["scores"][cond], lang_reps = {}, {}
        for task, info in tasks.items():
            result["scores"][cond][task] = {}
            for lang in info["langs"]:
                seeds = sorted(raw[cond][task][lang])
                if not seeds:
                    continue
                entry = {"seeds": {str(s): raw[cond][task][lang][s] for s in seeds},
                         **_summary([raw[cond][task][lang][s] for s in seeds])}
                if info["bootstrap"]:
                    per_seed = [stats[cond][task][lang][s][1] for s in seeds]
                    rs = bs.Resampling(B, rseed, len(seeds))
                    reps = bs.replicate_scores(info["metric"], per_seed,
                                               rs.example_counts(f"{task}/{lang}", len(per_seed[0])), rs.seed_draws())
                    entry.update(_ci(reps))
                    lang_reps[(task, lang)] = reps
                result["scores"][cond][task][lang] = entry
        result["task_avg"][cond], result["xtreme_avg"][cond] = _averages(result["scores"][cond], lang_reps, tasks)
    # Paired differences to the baseline, over the seeds both have.
    base = grid.baseline
    if base in conds:
        langs_of = language_table()
        for cond in conds:
            if cond == base:
                continue
            result["delta"][cond], reps_of = {}, {}
            for task, info in tasks.items():
                if not info["bootstrap"]:
                    continue
                result["delta"][cond][task] = {}
                for lang in info["langs"]:
                    common = sorted(set(stats[cond][task][lang]) & set(stats[base][task][lang]))
                    if not common:
                        continue
                    _check_pairing(grid, cond, base, task, lang, common, stats)
                    d = bs.paired_difference(info["metric"], [stats[cond][task][lang][s][1] for s in common],
                                             [stats[base][task][lang][s][1] for s in common], B, rseed,
                                             key=f"{task}/{lang}")
                    reps_of[(task, lang)] = d.pop("replicates")
                    result["delta"][cond][task][lang] = {**d, "seeds": len(common)}
            result["delta_task_avg"][cond], result["delta_xtreme"][cond] = _delta_averages(result["delta"][cond], reps_of)
            result["delta_groups"][cond] = _groups(result["delta"][cond], reps_of, langs_of,
                                                   seen=set(result["grid"]["conditions"][cond]["langs"]))
    return result


def _check_pairing(grid, cond, base, task, lang, seeds, stats) -> None:
    ids = stats[base][task][lang][seeds[0]][0]
    for c in (cond, base):
        for s in seeds:
            if stats[c][task][lang][s][0] != ids:
                raise StiltsError(f"{cell_dir(grid, Cell(c, task, s))}/eval/{task}.json: {lang} predictions are not over the same examples as "
                                  f"{base} seed {seeds[0]} (different eval options?): cannot pair them")


def _seed_average(by_lang: dict, langs: list[str]) -> dict:
    """Each seed's mean over `langs`, summarised over the seeds that every language has."""
    seeds = sorted(set.intersection(*(set(by_lang[lg]["seeds"]) for lg in langs)))
    per_seed = [float(np.mean([by_lang[lg]["seeds"][s] for lg in langs])) for s in seeds]
    return _summary(per_seed) if per_seed else {"mean": None}


def _averages(scores: dict, reps: dict, tasks: dict) -> tuple[dict, dict]:
    """Task average over its languages (XTREME-R counts every language, English included) and the average over
    tasks, each with the interval of the averaged replicates."""
    task_avg = {}
    for task, by_lang in scores.items():
        if not by_lang:
            continue
        langs = list(by_lang)
        entry = {"langs": len(langs), **_seed_average(by_lang, langs)}
        non_en = [lg for lg in langs if lg != "en"]
        if non_en:   # reported beside XTREME's all-language average, labelled
            entry["non_en"] = _seed_average(by_lang, non_en)
        if all((task, lg) in reps for lg in langs):
            task_reps = np.mean([reps[(task, lg)] for lg in langs], 0)
            entry.update(_ci(task_reps))
            entry["_reps"] = task_reps
        task_avg[task] = entry
    xt = {"tasks": len(task_avg), "mean": float(np.mean([v["mean"] for v in task_avg.values()])) if task_avg else None}
    if task_avg and all("_reps" in v for v in task_avg.values()):
        xt.update(_ci(np.mean([v["_reps"] for v in task_avg.values()], 0)))
    for v in task_avg.values():
        v.pop("_reps", None)
    return task_avg, xt


def _delta_averages(delta: dict, reps: dict) -> tuple[dict, dict]:
    out, all_reps = {}, []
    for task, by_lang in delta.items():
        if not by_lang:
            continue
        r = np.mean([reps[(task, lg)] for lg in by_lang], 0)
        out[task] = {"diff": float(np.mean([v["diff"] for v in by_lang.values()])), **_ci(r),
                     "p_le_0": float(np.mean(r <= 0)), "langs": len(by_lang)}
        all_reps.append((out[task]["diff"], r))
    xt = {}
    if all_reps:
        r = np.mean([x[1] for x in all_reps], 0)
        xt = {"diff": float(np.mean([x[0] for x in all_reps])), **_ci(r), "p_le_0": float(np.mean(r <= 0)),
              "tasks": len(all_reps)}
    return out, xt


def _groups(delta: dict, reps: dict, langs_of: dict, seen: set[str]) -> dict:
    """Differences averaged over the languages of a family, of a script, and over the languages the condition's
    intermediate data contains (seen) vs the rest: a language's difference is first averaged over tasks."""
    per_lang: dict[str, list] = defaultdict(list)
    for task, by_lang in delta.items():
        for lg, v in by_lang.items():
            per_lang[lg].append((v["diff"], reps[(task, lg)]))
    lang_diff = {lg: (float(np.mean([x[0] for x in xs])), np.mean([x[1] for x in xs], 0)) for lg, xs in per_lang.items()}
    out: dict[str, dict] = {}
    keys = {"family": lambda lg: langs_of.get(lg, {}).get("family", "unknown"),
            "script": lambda lg: langs_of.get(lg, {}).get("script", "unknown"),
            "in intermediate data": lambda lg: "seen" if lg in seen else "unseen"}
    for name, key in keys.items():
        members: dict[str, list[str]] = defaultdict(list)
        for lg in lang_diff:
            members[key(lg)].append(lg)
        out[name] = {}
        for group, lgs in sorted(members.items()):
            r = np.mean([lang_diff[lg][1] for lg in lgs], 0)
            out[name][group] = {"diff": float(np.mean([lang_diff[lg][0] for lg in lgs])), **_ci(r),
                                "langs": sorted(lgs)}
    return out


def _grid_info(grid: GridConfig, conds: list[str]) -> dict:
    """Each condition's description, stages, training rows and English dev scores (from its first finished
    cell), and the advmine datasets' languages, row counts and contamination tables."""
    info: dict[str, Any] = {"name": grid.name, "out": grid.out, "model": grid.model, "source": grid.source,
                            "data_dir": grid.data_dir, "seeds": grid.seeds, "targets": grid.targets,
                            "baseline": grid.baseline, "bootstrap": grid.bootstrap, "eval": grid.eval.__dict__,
                            "experiment": dict(grid.experiment), "reading": grid.reading,
                            "conditions": {}, "datasets": {}}
    for name, spec in grid.datasets.items():
        d = dataset_dir(grid, name)
        if not BuiltDataset.is_built(d):
            continue
        built = BuiltDataset(str(d))
        st = built.stats()
        cont, sel = built.step_info("contamination").get("table", []), built.step_info("select")
        info["datasets"][name] = {"path": str(d), "fingerprint": st["fingerprint"], "rows": st["rows"],
                                  "task": (spec or {}).get("task"),
                                  "langs": list((spec or {}).get("langs") or []), "contamination": cont,
                                  "selector": (spec or {}).get("select", {}).get("name") if spec else None,
                                  "same_size_as": (spec or {}).get("same_size_as"),
                                  "seconds": round(sum(s.get("seconds", 0) for s in st.get("steps", [])), 1),
                                  "select": {k: {"rows": v.get("rows"), "selected": v.get("selected")}
                                             for k, v in sel.get("train", {}).items()}}
    for cond in conds:
        c = grid.condition(cond)
        refs = refs_of(c)
        langs = sorted({lg for r in refs for lg in info["datasets"].get(r, {}).get("langs", [])} - {"en"})
        entry: dict[str, Any] = {"description": c.description, "intermediate": c.intermediate,
                                 "continued_mlm": c.continued_mlm, "datasets": refs, "langs": langs,
                                 "stages": [], "dev_en": {}}
        dev: dict[str, list[float]] = defaultdict(list)
        disjoint: set[str] = set()
        for cell in cells(grid):
            d = cell_dir(grid, cell)
            if cell.condition != cond or not (d / "scores.json").is_file():
                continue
            sc = json.loads((d / "scores.json").read_text())["english_dev"]
            for s in sc:
                dev[s["stage"]].append(s["dev_en"])
                if s.get("data_note"):
                    info.setdefault("data_notes", set()).add(f"[{s['stage']}] {s['data_note']}")
            record = json.loads((d / "stages.json").read_text())
            disjoint.update(record.get("disjoint") or [])
            if not entry["stages"]:
                rows = {s["stage"]: s.get("train_rows") for s in sc}
                entry["phase1"] = record["phase1"].get("model")
                entry["continued_mlm_texts"] = record["phase1"].get("mlm_texts")
                entry["stages"] = [{"name": s["name"], "phase": s["phase"], "sources": s["sources"],
                                    "train_rows": rows.get(s["name"])} for s in record["stages"]]
        entry["dev_en"] = {k: _summary(v) for k, v in dev.items()}
        entry["disjoint"] = sorted(disjoint)   # stilts.train.disjoint: rows an intermediate stage shares with a later one
        info["conditions"][cond] = entry
    info["data_notes"] = sorted(info.get("data_notes", ()))   # what stood in for a missing training file
    return info


def write_results(results: dict, out: Path) -> Path:
    path = Path(out) / "results.json"
    tmp = path.with_name(".results.json.tmp")
    tmp.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.rename(path)
    return path
