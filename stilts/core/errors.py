"""User-facing errors: each renders as exactly one line, so the CLI can print it without a traceback."""
from __future__ import annotations

from pathlib import Path


class StiltsError(Exception):
    """An error the user can fix; `str()` is the single line the CLI prints."""


class DataError(StiltsError):
    """Bad input data, located precisely: file, row (1-based line or record number) and field."""

    def __init__(self, file: str | Path | None, row: int | str | None, field: str | None, problem: str):
        self.file, self.row, self.field, self.problem = (str(file) if file else None), row, field, problem
        where = self.file or "<input>"
        if row is not None:
            where += f":{row}"
        what = f" field '{field}':" if field else ""
        super().__init__(f"{where}:{what} {problem}")


class OfflineError(StiltsError):
    """The hub cannot be reached; the message names the id and what to pass instead."""


class UnknownNameError(StiltsError):
    """An unknown registry name; the message carries 'did you mean' suggestions."""


class UnlabelledSplitError(StiltsError):
    """Someone tried to score a split whose gold labels were stripped by its publisher."""


def one_line(message: str) -> str:
    """Collapse a message onto one line (library exceptions often span several)."""
    return " ".join(str(message).split())


def unknown(what: str, name: str, known: list[str], limit: int = 12) -> UnknownNameError:
    """'unknown task 'xnlii'; did you mean: xnli? known: ...' — one line, like lm-eval's registry errors."""
    import difflib

    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    shown = ", ".join(known[:limit]) + (f", ... ({len(known)} in all)" if len(known) > limit else "")
    return UnknownNameError(f"unknown {what} {name!r}{hint} known: {shown}")
