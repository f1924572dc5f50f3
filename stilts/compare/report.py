"""report.md from a grid's results: the main table (conditions x tasks, the XTREME-R style average and the
difference to the baseline with its 95% interval), per-language tables, what each condition trained on, the
advmine contamination tables, the learning curves with every stage's convergence (its first line says when the
no-intermediate baseline stopped while still improving), what each selected advmine subset holds, and the caveats
that the grid itself reveals."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from stilts.compare.curves import GAIN_POINTS, NO_CURVE, RULE, status_of
from stilts.compare.subset_diagnostics import diagnostics_table
from stilts.core.tasks import get_task


def _f(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def _delta(d: dict | None) -> str:
    """+1.2 [-0.3, +2.7]; bold when the interval excludes zero."""
    if not d:
        return "-"
    text = f"{d['diff']:+.1f} [{d['lo']:+.1f}, {d['hi']:+.1f}]"
    return f"**{text}**" if d["lo"] > 0 or d["hi"] < 0 else text


def _score(e: dict | None) -> str:
    if not e or e.get("mean") is None:
        return "-"
    return f"{e['mean']:.1f} ± {e['std']:.1f}" if e.get("n", 1) > 1 else f"{e['mean']:.1f}"


def main_table(r: dict) -> str:
    base, tasks = r["grid"]["baseline"], list(r["tasks"])
    head = ["condition"] + [f"{t} ({r['tasks'][t]['metric']})" for t in tasks] + ["XTREME-R avg", f"Δ vs {base} [95% CI]"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for cond in r["scores"]:
        cells = [_score(r["task_avg"][cond].get(t)) for t in tasks]
        lines.append(f"| {cond} | " + " | ".join(cells) + f" | {_f(r['xtreme_avg'][cond].get('mean'))} | "
                     + ("(baseline)" if cond == base else _delta(r["delta_xtreme"].get(cond))) + " |")
    return "\n".join(lines)


def language_tables(r: dict) -> str:
    out = []
    base = r["grid"]["baseline"]
    for task, info in r["tasks"].items():
        langs = info["langs"]
        out += [f"### {task}: {info['metric']}" + (f", scored as {info['score']}" if info["score"] != "main score" else ""),
                "", "Mean ± standard deviation over seeds:", "",
                "| condition | " + " | ".join(langs) + " | avg (all, as XTREME) | avg (non-en) |",
                "|---|" + "---|" * (len(langs) + 2)]
        for cond, by_task in r["scores"].items():
            row = by_task.get(task, {})
            out.append(f"| {cond} | " + " | ".join(_score(row.get(lg)) for lg in langs)
                       + f" | {_score(r['task_avg'][cond].get(task))} | "
                         f"{_score((r['task_avg'][cond].get(task) or {}).get('non_en'))} |")
        if info["bootstrap"] and r["delta"]:
            out += ["", f"Difference to {base}, paired bootstrap 95% CI over test examples and seeds "
                        "(bold: the interval excludes 0):", "",
                    "| condition | " + " | ".join(langs) + " | avg (all, as XTREME) |",
                    "|---|" + "---|" * (len(langs) + 1)]
            for cond, by_task in r["delta"].items():
                row = by_task.get(task, {})
                out.append(f"| {cond} | " + " | ".join(_delta(row.get(lg)) for lg in langs)
                           + f" | {_delta(r['delta_task_avg'][cond].get(task))} |")
        elif not info["bootstrap"]:
            out += ["", f"{info['metric']} mines pairs over a whole pool: no per-example bootstrap, means only."]
        out.append("")
    return "\n".join(out)


def group_tables(r: dict) -> str:
    out = []
    titles = {"in intermediate data": "Languages in the condition's intermediate data (seen) or not (unseen)",
              "script": "By script", "family": "By language family"}
    for kind, title in titles.items():
        groups = sorted({g for c in r["delta_groups"].values() for g in c.get(kind, {})})
        if not groups:
            continue
        out += [f"{title}:", "", "| condition | " + " | ".join(groups) + " |", "|---|" + "---|" * len(groups)]
        for cond, by in r["delta_groups"].items():
            out.append(f"| {cond} | " + " | ".join(_delta(by.get(kind, {}).get(g)) for g in groups) + " |")
        out.append("")
    return "\n".join(out)


def stage_list(r: dict) -> str:
    out = []
    for cond, c in r["grid"]["conditions"].items():
        steps = [f"phase 1: {c.get('phase1') or r['grid']['model']}"
                 + (f" + continued MLM on {', '.join(c['continued_mlm'])} ({c.get('continued_mlm_texts')} texts)"
                    if c.get("continued_mlm") else "")]
        for s in c["stages"]:
            dev = c["dev_en"].get(s["name"])
            steps.append(f"{s['name']} ({s['phase']}; {s['train_rows']} rows of "
                         f"{' + '.join(Path(x).name for x in s['sources'])}"
                         + (f"; English dev {dev['mean']:.1f}" if dev else "") + ")")
        out.append(f"- **{cond}**: {c['description'] or ''}  \n  " + " → ".join(steps))
    return "\n".join(out)


def references(r: dict) -> list[str]:
    """Conditions without intermediate training (the grid's `none`): what every effect is measured against, so
    their convergence decides whether a difference can be read at all."""
    return [c for c, info in r["grid"]["conditions"].items() if not info.get("intermediate")]


def curve_records(r: dict) -> list[dict]:
    """The results' per-stage curve records; results written before curves get one "no curve recorded" record
    per cell, so that an old grid is never read as converged."""
    if "curves" in r:
        return r["curves"]
    return [{"cell": name, "condition": m["condition"], "target": m["target"], "seed": m["seed"], "stage": "(all)",
             "metric": None, "points": [], "converged": None, "last_gain": None, "from": None}
            for name, m in r["cells"].items()]


def _gain(c: dict, key: str = "last_gain") -> str:
    if c.get(key) is None:
        return "-"
    lo_hi = c.get("gain_interval") if key == "last_gain" else None
    return f"{c[key]:+.2f}" + (f" [{lo_hi[0]:+.1f}, {lo_hi[1]:+.1f}]" if lo_hi else "")


def convergence_headline(r: dict) -> list[str]:
    """The report's first line: bold when a reference stage was still improving (then the reference is
    undertrained and no difference is an effect of intermediate training); one plain line otherwise."""
    records, refs = curve_records(r), references(r)
    bad = [c for c in records if c["condition"] in refs and status_of(c) == "unconverged"]
    if bad:
        names = ", ".join(f"`{c}`" for c in refs)
        which = "; ".join(f"{c['cell']} {c['stage']} (last gain {_gain(c)})" for c in bad)
        return [f"**Unconverged baseline: {len(bad)} stage(s) of the condition without intermediate training "
                f"({names}) were still improving ({RULE}): "
                f"{which}. That baseline is undertrained, so no difference in the tables below can be read as an "
                "effect of intermediate training.**"]
    counts = Counter(status_of(c) for c in records)
    if records and set(counts) == {"converged"}:
        dipped = [c for c in records if c["condition"] in refs and (c.get("step_gain") or 0) > GAIN_POINTS]
        line = (f"All {len(records)} training stages of the {len({c['cell'] for c in records})} finished cells "
                f"converged (in none, {RULE}).")
        if dipped:
            line += (f" {len(dipped)} stage(s) of the condition without intermediate training gained more than "
                     f"{GAIN_POINTS:g} point over the evaluation just before, after an earlier higher one (no new "
                     "high): " + "; ".join(f"{c['cell']} {c['stage']} ({_gain(c, 'step_gain')})" for c in dipped)
                     + ". Their curves are in the learning curves section.")
        noisy = [c for c in records if c["condition"] in refs and (c.get("last_gain") or 0) > GAIN_POINTS]
        if noisy:
            line += (f" {len(noisy)} stage(s) of it ended more than {GAIN_POINTS:g} point above their best earlier "
                     "evaluation, inside the dev rows' noise (the paired 95% interval includes 0): "
                     + "; ".join(f"{c['cell']} {c['stage']} ({_gain(c)})" for c in noisy) + ".")
        return [line]
    line = "Convergence: " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no stage recorded")
    unknown = sum(1 for c in records if c["condition"] in refs and status_of(c) != "converged")
    if unknown:
        line += (f"; {unknown} stage(s) of the condition without intermediate training have no convergence verdict, "
                 "so that baseline is not known to be trained out")
    return [line + ": see the learning curves section."]


STATUS_CELL = {"unconverged": "**unconverged**"}   # how the convergence table shows a status (else as it is)


def convergence_section(r: dict) -> str:
    """The learning-curve plots (one per target) and every stage's convergence verdict from its training loop."""
    out = [f"![curves {t}](plots/curves_{t}.png)" for t in r["tasks"]
           if Path(r["grid"]["out"], "plots", f"curves_{t}.png").is_file()]
    out += ["", f"A stage is **unconverged** when {RULE} (the training loop's verdict; the last gain is "
                f"measured against that best earlier evaluation); \"{NO_CURVE}\": results from before "
                "curves were kept, convergence unknown.", "",
            "| cell | stage | evaluations | last dev score | gain over the one before | gain over the best earlier "
            "(the verdict's) [paired 95% interval over the dev rows] | status |",
            "|---|---|---|---|---|---|---|"]
    for c in curve_records(r):
        last = f"{c['points'][-1]['value']:.1f}" if c["points"] else "-"
        status = status_of(c)
        out.append(f"| {c['cell']} | {c['stage']} | {len(c['points'])} | {last} | {_gain(c, 'step_gain')} | "
                   f"{_gain(c)} | {STATUS_CELL.get(status, status)} |")
    return "\n".join(out).lstrip("\n")


def contamination_table(r: dict) -> str:
    lines = ["| dataset | rows | task | lang | eval rows | flagged | max cosine |", "|---|---|---|---|---|---|---|"]
    n = 0
    for name, d in r["grid"]["datasets"].items():
        for row in d["contamination"]:
            lines.append(f"| {name} | {row['rows']} | {row['task']} | {row['lang']} | {row['eval_rows']} | "
                         f"{row['flagged']} | {row['max_sim']:.3f} |")
            n += 1
    note = ("\n\nOnly advmine datasets are checked; registry tasks used as they are (e.g. English MNLI) are the "
            "benchmark's own training sets.")
    return ("\n".join(lines) + note) if n else "No advmine dataset in this grid ran a contamination check."


def caveats(r: dict) -> list[str]:
    g, out = r["grid"], []
    seeds = sorted({m["seed"] for m in r["cells"].values()})
    if len(seeds) < 3:
        out.append(f"Only {len(seeds)} seed(s) per cell: the intervals rest on few training runs; the default "
                   "is 3 or more.")
    expected = len(g["seeds"]) * len(g["targets"]) * len(g["conditions"])
    if len(r["cells"]) < expected:
        out.append(f"{len(r['cells'])} of {expected} cells are finished; missing cells are left out of the "
                   "averages and the pairing.")
    for cond, c in g["conditions"].items():
        for t in r["tasks"]:
            seen = sorted(set(c["langs"]) & set(r["tasks"][t]["langs"]))
            if seen:
                out.append(f"{cond} trains on text in {', '.join(seen)}, which are also {t} test languages: "
                           "transfer to these is not zero-shot from English; compare the seen/unseen groups.")
        for entry in c["intermediate"]:
            for t in r["tasks"]:
                spec = get_task(t)
                own = spec.train_from or spec.name
                for part in entry.split("+"):
                    ds = g["datasets"].get(part[1:]) if part.startswith("@") else None
                    if part == own or (ds and ds.get("task") == own):
                        what = f"is built from {own}" if ds else "is"
                        rows = [line for line in c.get("disjoint", []) if line.startswith(f"target-{t} ")]
                        if rows and all(line.endswith("no row in common") for line in rows):
                            out.append(f"{cond}: the intermediate data {part} {what} {t}'s English training task, "
                                       f"on other rows: {'; '.join(rows)}.")
                        else:
                            out.append(f"{cond}: the intermediate data {part} {what} {t}'s own English training "
                                       "data: the intermediate phase trains on (translations of) the target's own "
                                       "examples" + (f" ({'; '.join(rows)})" if rows else "") + ".")
    for note in g.get("data_notes", []):
        out.append(f"Training data: {note}.")
    for name, d in g["datasets"].items():
        flagged = sum(row["flagged"] for row in d["contamination"])
        if flagged:
            out.append(f"{name}: {flagged} rows were near-duplicates of evaluation examples (see the "
                       "contamination table).")
    sizes = {name: sum(d["rows"].values()) for name, d in g["datasets"].items()}
    for name, d in g["datasets"].items():
        ref = d.get("same_size_as")
        if ref in sizes and abs(sizes[name] - sizes[ref]) > 0.01 * max(sizes[ref], 1):
            out.append(f"{name} has {sizes[name]} rows, {ref} has {sizes[ref]}: not the same size.")
    if g["source"] == "kit":
        model = "the kit's tiny XLM-R are" if g["model"] == "kit" else f"its translations are"
        out.append(f"Kit data and {model} synthetic: these numbers show that the pipeline works end to end, not "
                   "what the research question's answer is.")
    if g["model"] != "xlm-roberta-large":
        out.append(f"The encoder is `{g['model']}`, not XLM-R large: the question is asked at small scale, and the "
                   "answer need not carry over.")
    for t in g["targets"]:
        ev = {**g["eval"], **(g["eval"].get("tasks") or {}).get(t, {})}
        skip, limit = ev.get("skip") or 0, ev.get("limit")
        if skip or limit:
            out.append(f"{t} was evaluated on " + (f"rows {skip}-{skip + limit - 1}" if limit else
                                                    f"the rows from {skip} on")
                       + " of each language's evaluation split" + (f" (rows 0-{skip - 1} are left to English model "
                                                                    "selection)" if skip else "") + ".")
    out.append("Model selection (best epoch) used English dev data only; no target-language data was seen "
               "before testing, except through the intermediate data noted above.")
    return out


def setup(r: dict) -> list[str]:
    """The sizes a reader must know to weigh the numbers: the model and every training setting the grid sets."""
    from stilts.train.model_sources import MODEL_SOURCES

    g = r["grid"]
    source = MODEL_SOURCES.get(g["model"])
    lines = ["## Setup", "", f"- Model: `{g['model']}`" + (f" ({source.description})" if source else "")]
    if source and source.profile:
        lines.append("- Its profile (defaults under the grid's settings): " + _settings(source.profile))
    if g.get("experiment"):
        lines.append("- Every cell (grid `experiment:`): " + _settings(g["experiment"]))
    from stilts.core.kinds import get_kind
    from stilts.core.tasks import get_task

    retrieval = any(get_kind(get_task(t).kind).dual_encoder for t in g["targets"])
    ev = {k: v for k, v in g["eval"].items()
          if v not in (None, 0, [], "") and (retrieval or k not in ("pooling", "layer"))}
    lines.append("- Evaluation: " + (_settings(ev) or "every row of each language's evaluation split"))
    lines.append(compute_line(r))
    from stilts.eval.zero_shot import retrieval_line

    for t, info in r["tasks"].items():
        if info.get("retrieval"):
            lines.append(f"- {t} read the encoder at {retrieval_line(info['retrieval'])}")
    if g["datasets"]:
        lines += ["", "### What each selected advmine subset holds", "",
                  "Per language: the label mix's largest deviation from the pool's, the estimated label noise beside "
                  "a random subset's of the same size, adequacy of the translations and language ID.", "",
                  diagnostics_table({name: d["path"] for name, d in g["datasets"].items()})]
    return lines + [""]


def _duration(seconds: float) -> str:
    h, rest = divmod(int(round(seconds)), 3600)
    return (f"{h} h " if h else "") + f"{rest // 60} min {rest % 60} s"


def compute_line(r: dict) -> str:
    """The time the grid took, as `stilts compare` measured it: each cell's own seconds (training and evaluation)
    and each dataset build's steps; a cell shares a finished intermediate stage with its condition's first target."""
    secs = {name: c.get("seconds") or 0 for name, c in r["cells"].items()}
    builds = sum(d.get("seconds") or 0 for d in r["grid"]["datasets"].values())
    slow = max(secs, key=secs.get, default=None)
    return (f"- Compute: {len(secs)} cells in {_duration(sum(secs.values()))} of cell time"
            + (f" (slowest {slow}, {_duration(secs[slow])})" if slow else "")
            + (f", plus {_duration(builds)} of dataset builds" if builds else "")
            + ", as `stilts compare` measured them")


def _settings(d: dict, prefix: str = "") -> str:
    parts = []
    for k, v in d.items():
        if isinstance(v, dict):
            parts.append(_settings(v, f"{prefix}{k}."))
        else:
            parts.append(f"`{prefix}{k}={v if not isinstance(v, list) else ','.join(map(str, v))}`")
    return ", ".join(parts)


def render(r: dict) -> str:
    g = r["grid"]
    parts = [*convergence_headline(r), "", f"# {g['name']}: does multilingual adversarial intermediate training beat English-only STILTs?", "",
             f"Model `{g['model']}`, data from {g['source']}" + (f" ({g['data_dir']})" if g["data_dir"] else "")
             + f", seeds {', '.join(map(str, g['seeds']))}, baseline `{g['baseline']}`, {g['bootstrap']} bootstrap "
               "replicates. Scores are the benchmark's metrics on a 0-100 scale; a task's score averages all its "
               "languages (English included, as XTREME-R does) and the XTREME-R average is the mean over tasks.",
             "", *setup(r), "## Main table", "", main_table(r), "",
             "Cells: mean ± standard deviation over seeds. Δ: paired bootstrap 95% CI over test examples and "
             "seeds; bold when it excludes 0.", "", *reading(g),
             "## Per language", "", language_tables(r),
             "## Difference to the baseline by group", "", group_tables(r),
             "## What each condition trained on", "", stage_list(r), "",
             "## Learning curves and convergence", "", convergence_section(r), "",
             "## Contamination (advmine near-duplicate check against the evaluation sets)", "",
             contamination_table(r), "", "## Caveats", ""]
    parts += [f"- {c}" for c in caveats(r)]
    plots = [p for p in sorted(Path(g["out"], "plots").glob("*.png")) if not p.name.startswith("curves_")]
    if plots:
        parts += ["", "## Plots", ""] + [f"![{p.stem}](plots/{p.name})" for p in plots]
    return "\n".join(parts) + "\n"


def reading(g: dict) -> list[str]:
    """The grid's `reading:` file (a person's reading of these numbers), under its own heading; a missing file is
    said, not skipped."""
    if not g.get("reading"):
        return []
    path = Path(g["reading"])
    if not path.is_file():
        return ["## Reading", "", f"(the grid names {path} as its reading, and there is no such file)", ""]
    return ["## Reading", "", path.read_text(encoding="utf-8").strip(), ""]


def write_report(r: dict[str, Any], out: str | Path) -> Path:
    path = Path(out) / "report.md"
    tmp = path.with_name(".report.md.tmp")
    tmp.write_text(render(r), encoding="utf-8")
    tmp.rename(path)
    return path
