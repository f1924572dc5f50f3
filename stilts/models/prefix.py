"""A model split at layer k: the frozen prefix (embeddings + the lowest k layers) and the trained top.

When the embeddings and the lowest k layers are frozen, their output is the same in every stage, cell, seed,
epoch and evaluation that starts from the same base model: `stilts.models.feature_cache` stores it once, and
`PrefixModel` runs only layers k+1.. and the head over the stored hidden states. Frozen layers always run in
eval mode (no dropout), cached or not: that is what makes the stored states the states training would see.
"""
from __future__ import annotations

import contextlib
import re
import types
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from stilts.core.errors import StiltsError
from stilts.models.frozen import frozen_prefix
from stilts.models.tensor_hash import tensors_fingerprint


def keep_eval(module: nn.Module) -> None:
    """`module` stays in eval mode whatever `.train()` its parents call: a frozen layer has no dropout."""
    def train(self: nn.Module, mode: bool = True) -> nn.Module:
        return nn.Module.train(self, False)

    module.train = types.MethodType(train, module)
    module.eval()


class _Passthrough(nn.Module):
    """Stands in for the embeddings block: the stored hidden states are already past it."""

    def forward(self, inputs_embeds: torch.Tensor | None = None, **_: Any) -> torch.Tensor:
        return inputs_embeds


@contextlib.contextmanager
def _layers(base: Any, layers: nn.ModuleList, passthrough: bool) -> Iterator[None]:
    """Run `base` with only `layers` (and no embeddings block when `passthrough`), then put everything back."""
    encoder, full, embeddings = base.encoder, base.encoder.layer, base.embeddings
    encoder.layer = layers
    if passthrough:
        base.embeddings = _Passthrough()
    try:
        yield
    finally:
        encoder.layer = full
        base.embeddings = embeddings


def _in_prefix(name: str, k: int) -> bool:
    """Whether an encoder-relative weight name belongs to the embeddings or the lowest k layers."""
    m = re.match(r"encoder\.layer\.(\d+)\.", name)
    return name.startswith("embeddings.") or bool(m and int(m.group(1)) < k)


def prefix_fingerprint(model: Any, k: int) -> str:
    """A content hash of the prefix's weights (embeddings + layers 1..k) and its shape: a cache of hidden
    states computed by another model, or at another k, never matches."""
    base = model.base_model
    named = [("embeddings." + n, t) for n, t in base.embeddings.state_dict().items()]
    for i in range(k):
        named += [(f"layer{i}.{n}", t) for n, t in base.encoder.layer[i].state_dict().items()]
    return tensors_fingerprint(named, f"{type(base).__name__}|k={k}|{base.config.hidden_size}")


def loaded_prefix_fingerprint(model: Any, k: int) -> str | None:
    """The prefix key of a model as `stilts.models.weights.load_pretrained` returned it, without hashing the
    prefix again: when no delta over its root touched the embeddings or the lowest k layers, the prefix is the
    root's, so the root's fingerprint (a hash of all its weights, memoised on disk) names it. None otherwise.
    Only for a model whose weights were not changed in memory since loading (PrefixModel's `loaded=True`)."""
    base = model.base_model
    root, changed = getattr(model, "stilts_root", None), getattr(model, "stilts_delta_keys", None)
    if root is None or changed is None or any(_in_prefix(n, k) for n in changed):
        return None
    from stilts.models.weights import root_fingerprint

    fp = getattr(model, "stilts_root_fingerprint", None) or root_fingerprint(root, lambda: base)
    return tensors_fingerprint([], f"root={fp}|{type(base).__name__}|k={k}|{base.config.hidden_size}")


@torch.inference_mode()
def prefix_hidden(model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor, k: int) -> torch.Tensor:
    """The hidden states after layer k (eval mode), the same ones the full model computes inside."""
    base = model.base_model
    was = base.training
    base.eval()
    try:
        with _layers(base, nn.ModuleList(list(base.encoder.layer)[:k]), passthrough=False):
            out = base(input_ids=input_ids, attention_mask=attention_mask)
    finally:
        base.train(was)
    return out.last_hidden_state


class PrefixModel(nn.Module):
    """A task model whose first k layers are frozen, fed either token ids (the whole model runs) or the stored
    hidden states after layer k (`prefix_hidden`: only the top runs). Both give the same outputs; span QA's loss
    leaves padding out of the softmax in both (a pad is never an answer, and its cached state is not stored)."""

    def __init__(self, model: Any, k: int, loaded: bool = False) -> None:
        super().__init__()
        if k < 1:
            raise StiltsError("a feature cache needs the embeddings and at least one layer frozen (freeze_layers >= 1)")
        if frozen_prefix(model) < k:
            raise StiltsError(f"the feature cache stores the output of layer {k}, but the model trains layers "
                              f"below it (frozen: {frozen_prefix(model)})")
        self.model = model
        self.k = k
        self.loaded = loaded   # as loaded from disk: the prefix key may come from the root's fingerprint
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        """The prefix's weights' hash (frozen, so computed once per model)."""
        if self._fingerprint is None:
            self._fingerprint = (self.loaded and loaded_prefix_fingerprint(self.model, self.k)) \
                or prefix_fingerprint(self.model, self.k)
        return self._fingerprint

    @property
    def config(self) -> Any:
        return self.model.config

    @property
    def base_model(self) -> Any:
        return self.model.base_model

    def save_pretrained(self, out: Any, **kw: Any) -> None:
        self.model.save_pretrained(out, **kw)

    def forward(self, input_ids: torch.Tensor | None = None, attention_mask: torch.Tensor | None = None,
                prefix_hidden: torch.Tensor | None = None, **kw: Any) -> Any:
        starts, ends = kw.pop("start_positions", None), kw.pop("end_positions", None)
        if prefix_hidden is None:
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, **kw)
        else:
            base = self.model.base_model
            top = nn.ModuleList(list(base.encoder.layer)[self.k:])
            with _layers(base, top, passthrough=True):
                out = self.model(inputs_embeds=prefix_hidden, attention_mask=attention_mask, **kw)
        if starts is not None:
            out.loss = span_loss(out.start_logits, out.end_logits, starts, ends, attention_mask)
        return out


def span_loss(start_logits: torch.Tensor, end_logits: torch.Tensor, starts: torch.Tensor, ends: torch.Tensor,
              mask: torch.Tensor) -> torch.Tensor:
    """SQuAD's loss (mean of start and end cross-entropy) over the real tokens of each window only."""
    fill = torch.finfo(start_logits.dtype).min
    pad = mask == 0
    s, e = start_logits.masked_fill(pad, fill), end_logits.masked_fill(pad, fill)
    ce = nn.functional.cross_entropy
    return (ce(s, starts) + ce(e, ends)) / 2
