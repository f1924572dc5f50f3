"""Output directories that are never destroyed by accident and never written by two processes at once.

* `check_replaceable`: a command may write over a path only when it is absent, empty, or an earlier output of
  the same command (recognised by its own marker files); anything else needs `--overwrite`, and even then the
  replacement is atomic (the writer renames the old output aside only once the new one is complete).
* `output_lock`: an exclusive `flock` on `.<name>.lock` beside the output. The kernel drops the lock when its
  holder dies, so a `kill -9` never leaves it stuck; a second process meets one line naming the holder's pid.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stilts.core.errors import StiltsError


def check_replaceable(path: str | Path, command: str, markers: tuple[str, ...], overwrite: bool = False,
                      also_ours: tuple[str, ...] = ()) -> None:
    """Raise one line unless `path` may be (re)written by `command`: absent, an empty directory, or a directory
    holding one of `markers` (files) or of `also_ours` (name prefixes of entries the command itself makes)."""
    p = Path(path)
    if overwrite or not (p.exists() or p.is_symlink()):
        return
    if p.is_dir():
        entries = [e.name for e in p.iterdir()]
        if not entries or any((p / m).is_file() for m in markers) or (
                also_ours and all(e.startswith(also_ours) for e in entries)):
            return
        what = f"a directory with {len(entries)} entries that {command} did not write"
    else:
        what = "a file"
    raise StiltsError(f"{p} exists and is {what}; refusing to replace it (pass --overwrite to replace it "
                      "atomically, or choose another --out)")


def cache_root() -> Path:
    """Where stilts keeps what it builds once and reuses (converted or pretrained phase-1 models)."""
    return Path(os.environ.get("STILTS_CACHE", Path.home() / ".cache" / "stilts"))


def remove_path(path: Path) -> None:
    """Remove a file, a link or a whole directory (a link is removed, never followed)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


CHECKSUMS = "checksums.json"


def sha256_file(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def write_tree_checksums(directory: str | Path) -> None:
    """sha256 of every file below `directory` (relative paths), written beside them."""
    d = Path(directory)
    sums = {str(p.relative_to(d)): sha256_file(p) for p in sorted(d.rglob("*")) if p.is_file() and p.name != CHECKSUMS}
    (d / CHECKSUMS).write_text(json.dumps(sums, indent=1), encoding="utf-8")


def verify_tree(directory: str | Path, what: str) -> None:
    """One line naming the first file that is missing or differs from the checksum written with it (outputs
    written before checksums existed pass unverified)."""
    d = Path(directory)
    if not (d / CHECKSUMS).is_file():
        return
    try:
        sums = json.loads((d / CHECKSUMS).read_text(encoding="utf-8"))
    except ValueError:
        raise StiltsError(f"{d / CHECKSUMS}: unreadable; rebuild the {what}") from None
    for rel, digest in sums.items():
        f = d / rel
        if not f.is_file():
            raise StiltsError(f"{f}: missing from the {what}; rebuild it")
        if sha256_file(f) != digest:
            raise StiltsError(f"{f}: does not match its checksum (truncated or edited); rebuild the {what}")


def lock_path(path: str | Path) -> Path:
    p = Path(path)
    return p.parent / f".{p.name}.lock"


@contextmanager
def output_lock(path: str | Path, command: str) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the duration of the block."""
    lock = lock_path(path)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise StiltsError(f"{path}: cannot write there ({e.strerror}); choose another --out") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise StiltsError(f"{path} is being written by another {command} (pid {holder}); wait for it to "
                              f"finish or stop it (lock: {lock})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)   # closing releases the flock
