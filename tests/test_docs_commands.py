"""The documentation's commands and links are real.

Every fenced code block of README.md and docs/**/*.md is read; each line that runs `advmine ...` or
`stilts ...` (after optional indentation, `$ `, `.venv/bin/`, `VAR=value ` assignments, or a shell `do`, `&&`,
`;`, `|`, `&`, or `accelerate launch ... $(which advmine)`; lines ending in `\\` are joined to the next) is
checked against click's own command tree in cli.py: the subcommand exists, and every `--option` it gives exists
for that subcommand. Nothing is run: no subprocess, no model, no data.

Marker convention (also in docs/architecture.md): a command that needs the Hugging Face hub or a GPU carries a
shell comment `# needs: hub`, `# needs: gpu` or `# needs: hub, gpu`, at the end of its line (any of its
continuation lines) or on the comment line right before it in the same block. The marker is required where it
can be told cheaply from the line itself, by the explicit lists below.

Links: every relative markdown link and image `[text](path)` / `![alt](path)` outside code must point to an
existing file, relative to the page; a `#anchor` (alone, or after a .md path) must be the GitHub slug of a
heading of the target page. http(s) and mailto links are not checked.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
import yaml

from cli import advmine, stilts

ROOT = Path(__file__).resolve().parents[1]
GROUPS: dict[str, click.Group] = {"advmine": advmine, "stilts": stilts}

# --- what needs the hub or a GPU, as far as a line shows it -----------------------------------------------------
HUB_OPTIONS = {"--push-to-hub", "--check-hub", "--hub-id"}          # any use of these needs the hub
HUB_COMMANDS = {("advmine", "push")}                                # these subcommands always need it
HUB_VALUES = {"--translator": {"marian", "nllb", "m2m100"},         # option values that download a hub model
              "--embedder": {"sentence-transformers"}}
HUB_MODEL_OPTIONS = {"--model", "--model-id"}                       # their value needs the hub when a hub id
LOCAL_SOURCES = {"--kit", "--data-dir", "--data-files", "--config"}  # without one of these, data comes from the hub
HUB_BY_DEFAULT = {("stilts", "train"), ("stilts", "eval"), ("stilts", "show"), ("advmine", "build")}
GPU_ENV = {"CUDA_VISIBLE_DEVICES"}                                  # an assignment of these needs a GPU
# `accelerate launch ... $(which advmine)` also needs a GPU; `stilts compare GRID` of a grid file in the
# repository whose `source` is hub (stilts/compare/defaults.yaml's default) needs the hub.
MARKER_WORDS = {"hub", "gpu"}


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


# --- reading code blocks ------------------------------------------------------------------------------------------
FENCE = re.compile(r"^\s{0,3}(```|~~~)")


@dataclass
class Block:
    path: Path
    start: int                  # 1-based line of the first line inside the fence
    lines: list[str]


def code_blocks(path: Path) -> list[Block]:
    blocks, current, start = [], None, 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            if current is None:
                current, start = [], n + 1
            else:
                blocks.append(Block(path, start, current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def split_comment(line: str) -> tuple[str, str]:
    """(code, comment): the comment starts at the first `#` outside quotes that begins a word."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i], line[i + 1:]
    return line, ""


def split_segments(code: str) -> list[str]:
    """The simple commands of a shell line: split at &&, ||, ;, | and & outside quotes (not at >& or &>)."""
    out, buf, quote, i = [], [], None, 0
    while i < len(code):
        ch = code[i]
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            buf.append(ch)
        elif ch in ";|" or (ch == "&" and not (i and code[i - 1] == ">") and code[i + 1:i + 2] != ">"):
            out.append("".join(buf))
            buf = []
            if code[i + 1:i + 2] == ch:       # && or ||
                i += 1
        else:
            buf.append(ch)
        i += 1
    out.append("".join(buf))
    return [s.strip() for s in out if s.strip()]


ACCELERATE = re.compile(r"\baccelerate\s+launch\b.*?\$\(which\s+(advmine|stilts)\)")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
SHELL_WORDS = {"do", "then", "else", "time", "exec", "{"}
MARKER = re.compile(r"needs:\s*([\w\s,]+)")


@dataclass
class Command:
    where: str                       # file:line
    text: str                        # the logical line as written (continuations joined)
    group: str
    args: list[str]
    env: set[str] = field(default_factory=set)
    accelerate: bool = False
    markers: set[str] = field(default_factory=set)


def markers_in(comments: list[str]) -> set[str]:
    found: set[str] = set()
    for c in comments:
        for m in MARKER.finditer(c):
            found |= {w.strip() for w in re.split(r"[\s,]+", m.group(1)) if w.strip()}
    return found


def commands_in(block: Block) -> list[Command]:
    found, lines, i = [], block.lines, 0
    while i < len(lines):
        first, parts, comments = i, [], []
        while True:
            code, comment = split_comment(lines[i])
            comments.append(comment)
            stripped = code.rstrip()
            if stripped.endswith("\\") and i + 1 < len(lines):
                parts.append(stripped[:-1])
                i += 1
                continue
            parts.append(code)
            break
        i += 1
        if first > 0:
            before_code, before_comment = split_comment(lines[first - 1])
            if not before_code.strip():
                comments.append(before_comment)
        logical = " ".join(p.strip() for p in parts).strip()
        if logical.startswith("$ "):
            logical = logical[2:]
        accelerate = bool(ACCELERATE.search(logical))
        logical = ACCELERATE.sub(r"\1", logical)
        for segment in split_segments(logical):
            try:
                tokens = shlex.split(segment)
            except ValueError:
                continue
            env = set()
            while tokens and (tokens[0] in SHELL_WORDS or ASSIGNMENT.match(tokens[0])):
                if ASSIGNMENT.match(tokens[0]):
                    env.add(tokens[0].split("=", 1)[0])
                tokens.pop(0)
            if not tokens:
                continue
            head = tokens[0].removeprefix(".venv/bin/")
            if head in GROUPS:
                found.append(Command(f"{block.path.relative_to(ROOT)}:{block.start + first}", logical, head,
                                     tokens[1:], env, accelerate, markers_in(comments)))
    return found


def all_commands() -> list[Command]:
    return [c for path in doc_files() for b in code_blocks(path) for c in commands_in(b)]


# --- checking one command against click --------------------------------------------------------------------------
def option_table(cmd: click.Command) -> dict[str, click.Option]:
    table = {}
    for p in cmd.params:
        if isinstance(p, click.Option):
            for name in [*p.opts, *p.secondary_opts]:
                table[name] = p
    return table


def parse(c: Command) -> tuple[str | None, dict[str, list[str]], list[str], list[str]]:
    """(subcommand, {option: values}, positional args, problems)."""
    group = GROUPS[c.group]
    positional = [a for a in c.args if not a.startswith("-")]
    if not c.args or c.args[0].startswith("-"):
        return None, {}, [], []           # `stilts --help` and the like: the group itself
    sub = c.args[0]
    cmd = group.commands.get(sub)
    if cmd is None:
        return sub, {}, positional, [f"no subcommand `{c.group} {sub}` (has: {', '.join(sorted(group.commands))})"]
    table, opts, args, problems = option_table(cmd), {}, [], []
    rest, k = c.args[1:], 0
    while k < len(rest):
        tok = rest[k]
        if tok.startswith("--"):
            name, eq, value = tok.partition("=")
            if name == "--help":
                k += 1
                continue
            param = table.get(name)
            if param is None:
                problems.append(f"`{c.group} {sub}` has no option {name} (has: {', '.join(sorted(table))})")
                k += 1
                continue
            if param.is_flag or param.count:
                opts.setdefault(name, [])
            else:
                if not eq:
                    k += 1
                    value = rest[k] if k < len(rest) else ""
                opts.setdefault(name, []).append(value)
        else:
            args.append(tok)
        k += 1
    return sub, opts, args, problems


def is_hub_id(value: str) -> bool:
    if value.startswith("xlm-roberta"):
        return True
    if not re.fullmatch(r"[A-Za-z0-9][\w.{}-]*/[\w.{}-]+", value):
        return False
    return value.split("/")[0] not in {"runs", "out", "tmp"} and not (ROOT / value).exists()


def grid_source(path: str) -> str | None:
    """A repository grid file's data source (None when the path is no file here)."""
    f = ROOT / path
    if not path.endswith((".yaml", ".yml")) or not f.is_file():
        return None
    grid = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
    defaults = yaml.safe_load((ROOT / "stilts/compare/defaults.yaml").read_text(encoding="utf-8")) or {}
    return grid.get("source", defaults.get("source", "hub"))


def needs(c: Command, sub: str | None, opts: dict[str, list[str]], args: list[str]) -> dict[str, str]:
    """What the line itself shows it needs: {'hub'|'gpu': why}."""
    out: dict[str, str] = {}
    if sub is None:
        return out
    if (c.group, sub) in HUB_COMMANDS:
        out["hub"] = f"`{c.group} {sub}`"
    for name in HUB_OPTIONS & set(opts):
        out["hub"] = name
    for name, values in HUB_VALUES.items():
        for v in opts.get(name, []):
            if v in values:
                out["hub"] = f"{name} {v}"
    for name in HUB_MODEL_OPTIONS & set(opts):
        for v in opts[name]:
            if is_hub_id(v):
                out["hub"] = f"{name} {v} (a hub id)"
    for v in opts.get("--intermediate", []):
        if any(part.startswith("hf:") for part in re.split(r"[,+]", v)):
            out["hub"] = f"--intermediate {v}"
    if (c.group, sub) in HUB_BY_DEFAULT and not LOCAL_SOURCES & set(opts):
        out["hub"] = f"no {'/'.join(sorted(LOCAL_SOURCES))}: data from the hub"
    if (c.group, sub) == ("stilts", "compare") and args and not {"--kit", "--data-dir"} & set(opts):
        if grid_source(args[0]) == "hub":
            out["hub"] = f"{args[0]} reads the hub (source: hub)"
    if GPU_ENV & c.env:
        out["gpu"] = ", ".join(sorted(GPU_ENV & c.env))
    if c.accelerate:
        out["gpu"] = "accelerate launch"
    return out


def problems_of(c: Command) -> list[str]:
    sub, opts, args, problems = parse(c)
    unknown = c.markers - MARKER_WORDS
    if unknown:
        problems.append(f"unknown marker word(s) {sorted(unknown)} (use: {', '.join(sorted(MARKER_WORDS))})")
    for what, why in needs(c, sub, opts, args).items():
        if what not in c.markers:
            problems.append(f"needs `# needs: {what}` ({why})")
    return problems


# --- links --------------------------------------------------------------------------------------------------------
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
INLINE_CODE = re.compile(r"(`+).*?\1")


def prose_lines(path: Path) -> list[tuple[int, str]]:
    out, fenced = [], False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            out.append((n, line))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: link text kept, markup and punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip()).lower()
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for _, line in prose_lines(path):
        m = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            out.add(s if n == 0 else f"{s}-{n}")
            seen[s] = n + 1
    return out


def link_problems(path: Path) -> list[str]:
    problems = []
    for n, line in prose_lines(path):
        for target in LINK.findall(INLINE_CODE.sub("", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):      # http:, https:, mailto:, ...
                continue
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)}:{n}"
            if not dest.exists():
                problems.append(f"{where}: link to {target}: no such file")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                problems.append(f"{where}: link to {target}: no heading with anchor #{anchor} in {dest.name}")
    return problems


# --- the tests ----------------------------------------------------------------------------------------------------
def test_every_documented_command_exists_with_its_options_and_markers():
    commands = all_commands()
    assert len(commands) >= 30, f"only {len(commands)} commands found in the docs: is the scanner broken?"
    seen_groups = {(c.group, parse(c)[0]) for c in commands}
    for must in [("advmine", "build"), ("advmine", "inspect"), ("advmine", "merge"), ("stilts", "train"),
                 ("stilts", "eval"), ("stilts", "compare"), ("stilts", "tasks")]:
        assert must in seen_groups, f"no documented example of `{' '.join(must)}`"
    bad = [f"{c.where}: {c.text}\n    " + "\n    ".join(p) for c in commands if (p := problems_of(c))]
    assert not bad, "documented commands that do not match cli.py:\n" + "\n".join(bad)


def test_every_relative_link_and_image_exists():
    bad = [p for path in doc_files() for p in link_problems(path)]
    assert not bad, "\n".join(bad)


def _block(text: str) -> list[Command]:
    return commands_in(Block(ROOT / "README.md", 1, text.splitlines()))


@pytest.mark.parametrize("text, expected", [
    ("stilts train --kit --bogus 1", "has no option --bogus"),
    ("stilts trian --kit", "no subcommand `stilts trian`"),
    ("advmine build --task mnli --kit --push-to-hub me/x --out o", "needs `# needs: hub`"),
    ("advmine build --task mnli --langs sw \\\n    --translator nllb --out o", "needs `# needs: hub`"),
    ("for i in 0 1; do CUDA_VISIBLE_DEVICES=$i stilts compare G.yaml --shard $i/2 & done", "needs `# needs: gpu`"),
    ("stilts compare configs/grids/xtreme-r-large.yaml --prepare", "needs `# needs: hub`"),
    ("stilts train --intermediate mnli --target xnli --kit --out r   # needs: hbu", "unknown marker"),
])
def test_the_checker_catches(text, expected):
    problems = [p for c in _block(text) for p in problems_of(c)]
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("text", [
    "$ stilts tasks --data-dir ../shared/data",
    "# needs: hub\nadvmine build --task mnli --langs sw --translator nllb \\\n    --out o",
    "advmine push out/x me/x   # needs: hub",
    "make setup && .venv/bin/stilts eval runs/r --kit --layer -1",
    "accelerate launch --num_processes 8 $(which advmine) build --kit --task mnli --out o   # needs: gpu",
    "stilts compare configs/grids/kit-demo.yaml --set seeds=[0,1] > log 2>&1 &",
])
def test_the_checker_accepts(text):
    commands = _block(text)
    assert commands and not [p for c in commands for p in problems_of(c)]
