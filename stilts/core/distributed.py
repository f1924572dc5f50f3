"""One run over several processes (`accelerate launch --num_processes N stilts train ...`): every process trains
its share of each batch (the loop's gradients are averaged by accelerate's DistributedDataParallel), and only the
main process writes what the run keeps: files, markers, locks and caches. These helpers say which process this
is and hold the others back while the main one writes; with one process each of them is a no-op."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


def _state():
    from accelerate import PartialState

    return PartialState()


def num_processes() -> int:
    """How many processes this run has (1 unless started by `accelerate launch` / torchrun)."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:   # no process group to start: a plain single run
        return 1
    return _state().num_processes


def is_main() -> bool:
    return num_processes() == 1 or _state().is_main_process


def barrier() -> None:
    """Every process waits here until all have arrived (after the main process wrote what the others read)."""
    if num_processes() > 1:
        _state().wait_for_everyone()


@contextmanager
def main_first() -> Iterator[None]:
    """The main process runs the block first (and writes its cache or output); the others run it after, and find
    what it wrote. Nothing inside may wait on the other processes (no collective: no training loop)."""
    if num_processes() == 1:
        yield
        return
    with _state().main_process_first():
        yield
