"""One content hash of named tensors, for the keys that must change whenever weights do."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

import torch


def tensors_fingerprint(named: Iterable[tuple[str, torch.Tensor]], header: str = "") -> str:
    """A content hash of named tensors (their bytes, in name order): the feature cache's prefix key and a
    delta's base fingerprint."""
    h = hashlib.blake2b(digest_size=16)
    h.update(header.encode())
    for name, tensor in sorted(named, key=lambda x: x[0]):
        h.update(name.encode())
        t = tensor.detach().cpu().contiguous()
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()
