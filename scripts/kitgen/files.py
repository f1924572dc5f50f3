"""The kit's files: where they go, their formats (GLUE MNLI and XTREME XNLI TSV), the README, a summary."""
from __future__ import annotations

from pathlib import Path

from kitgen.clause import Clause
from kitgen.frames import LABELS, Group
from kitgen.grammars import render

DATA_DIR = Path(__file__).resolve().parents[2] / "stilts" / "core" / "tasks" / "kit" / "data"
README_TEMPLATE = Path(__file__).resolve().parent / "kit_readme.md"
LABEL_LETTER = {"entailment": "e", "neutral": "n", "contradiction": "c"}
PARSE_PLACEHOLDER = "( )"
MNLI_HEADER = ("index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
               "sentence1_parse", "sentence2_parse", "sentence1", "sentence2", "label1", "gold_label")
# split name -> (number of premises, each with one hypothesis per label, seed offset, first promptID)
MNLI_SPLITS = {"train": (1000, 0, 100_000), "dev_matched": (100, 1, 200_000)}
XNLI_SPLITS = {"test": (100, 2, 300_000), "dev": (50, 3, 400_000)}
Row = tuple[Group, str, Clause]


def write_text(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(line + "\n" for line in lines))


def tsv_line(fields: list[str]) -> str:
    for field in fields:
        if "\t" in field or "\n" in field or "\r" in field:
            raise ValueError(f"tab or newline inside a field: {field!r}")
    return "\t".join(fields)


def write_mnli(path: Path, rows: list[Row]) -> None:
    lines = [tsv_line(list(MNLI_HEADER))]
    for index, (group, label, hyp) in enumerate(rows):
        lines.append(tsv_line([
            str(index), str(group.prompt_id), f"{group.prompt_id}{LABEL_LETTER[label]}", group.genre,
            PARSE_PLACEHOLDER, PARSE_PLACEHOLDER, PARSE_PLACEHOLDER, PARSE_PLACEHOLDER,
            render("en", group.premise), render("en", (hyp,)), label, label,
        ]))
    write_text(path, lines)


def write_xnli(path: Path, code: str, rows: list[Row]) -> None:
    write_text(path, [tsv_line([render(code, g.premise), render(code, (h,)), label]) for g, label, h in rows])


def write_readme(path: Path, **counts: object) -> None:
    """The kit's README: the template in kit_readme.md with the kit's own counts filled in."""
    write_text(path, README_TEMPLATE.read_text(encoding="utf-8").format(**counts).splitlines())


def summarize(data_dir: Path = DATA_DIR) -> None:
    total = 0
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file():
            continue
        total += path.stat().st_size
        if path.suffix != ".tsv":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        if path.parent.name == "mnli":
            labels = [line.split("\t")[-1] for line in lines[1:]]
        elif path.parent.name == "xnli":
            labels = [line.split("\t")[2] for line in lines]
        else:
            print(f"{path.relative_to(data_dir)}: {len(lines) - 1} entries")
            continue
        counts = ", ".join(f"{lab} {labels.count(lab)}" for lab in LABELS)
        print(f"{path.relative_to(data_dir)}: {len(labels)} rows ({counts})")
    print(f"total size: {total:,} bytes")
