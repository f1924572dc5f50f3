"""The precision of inference: zero-shot evaluation, English dev scoring in training, retrieval vectors. `auto`
(the default) is bf16 autocast on a GPU that has it and fp32 elsewhere; `bf16` asks for it on a CPU too (one with
avx512_bf16 evaluates e5-small 1.4-1.5x faster, scores within 0.33 points per language: docs/benchmarks.md);
`fp32` never. One setting for the whole process, entered by the command or grid cell that evaluates, so every
inference path agrees. Feature-cache builds never autocast: stored states do not depend on this setting."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Literal, get_args

from stilts.core.errors import StiltsError

if TYPE_CHECKING:
    import torch

Precision = Literal["auto", "fp32", "bf16"]   # also the type of ExperimentConfig.eval_precision
PRECISIONS: tuple[str, ...] = get_args(Precision)
_CURRENT: ContextVar[str] = ContextVar("stilts_inference_precision", default="auto")


def check_precision(value: str) -> str:
    """`value` if it names a precision (every caller checks eval_precision, so the message names it)."""
    if value not in PRECISIONS:
        raise StiltsError(f"eval_precision: {value!r} is not one of {', '.join(PRECISIONS)}")
    return value


@contextmanager
def inference_precision(value: str) -> Iterator[None]:
    """Run the inference inside at `value` (see the module docstring)."""
    token = _CURRENT.set(check_precision(value))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def bf16_inference(device: Any) -> bool:
    """Whether inference on `device` autocasts to bf16 under the current setting."""
    import torch

    value = _CURRENT.get()
    if value == "auto":
        return device.type == "cuda" and torch.cuda.is_bf16_supported()
    return value == "bf16"


def inference_autocast(device: Any) -> "torch.autocast":
    import torch

    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16_inference(device))
