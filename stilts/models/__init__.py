"""One shared encoder, a head per task kind: the Hugging Face task classes of the encoder's architecture
(XLM-R: XLMRobertaFor{SequenceClassification, MultipleChoice, QuestionAnswering, TokenClassification,
MaskedLM}). A phase hands the next one only the encoder (`save_encoder`), so every new phase starts with a
freshly initialised head; retrieval uses the encoder's pooled hidden states and needs no head, and is trained
(LAReQA, Mewsli-X) as a dual encoder whose only weights are the encoder's (`stilts.models.dual_encoder`)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from stilts.core.errors import StiltsError
from stilts.core.kinds import TABLE


def make_model(kind: str, encoder: str | Path, num_labels: int | None = None) -> Any:
    """A task model whose encoder weights come from `encoder` and whose head is new."""
    import transformers

    k = TABLE.get(kind)
    if k is None or k.head is None:
        raise StiltsError(f"no training head for {kind} tasks")
    from stilts.models.weights import load_pretrained

    # The head is new on purpose: transformers' "newly initialized" warning is silenced by the loader.
    return load_pretrained(getattr(transformers, k.head), encoder, **k.head_kwargs(num_labels))


def freeze(model: Any, embeddings: bool = False, layers: int = 0) -> None:
    """Stop training the word embeddings and/or the lowest `layers` transformer layers. On a CPU this is what
    makes a real encoder trainable in minutes: autograd then stops below the first trainable layer. A frozen
    block runs in eval mode (no dropout), so that its output is the one the feature cache stores."""
    from stilts.models.prefix import keep_eval

    base = model.base_model
    if embeddings:
        base.embeddings.word_embeddings.requires_grad_(False)
    if layers:
        blocks = base.encoder.layer
        if layers > len(blocks):
            raise StiltsError(f"freeze_layers={layers}, but the encoder has only {len(blocks)} layers")
        base.embeddings.requires_grad_(False)
        keep_eval(base.embeddings)
        for block in blocks[:layers]:
            block.requires_grad_(False)
            keep_eval(block)


def save_encoder(model: Any, tokenizer: Any, out: str | Path) -> Path:
    """Only the shared encoder (no head): a delta over the base when part of it is frozen (weights.py)."""
    from stilts.models.weights import save_model

    return save_model(model, out, tokenizer, encoder_only=True)


def mean_pool(hidden: Any, mask: Any) -> Any:
    """Mean over non-pad tokens: the pooled sentence representation for retrieval (XTREME's default)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


LAST = -1   # the last layer: where a contrastive sentence encoder (e5) is read
LAYER_HELP = ("a fraction of the depth in (0, 1) (XTREME: 14/24 = 0.583), a layer number 1..N, or -N..-1 counted "
              "from the top (-1: the last)")


def layer_problem(layer: float) -> str | None:
    """Why `layer` names no retrieval layer, or None. `1.0` is refused, not guessed: read as a fraction it is the
    last layer, read as a number the first, and YAML, Python and a float option all hand over 1 and 1.0 alike
    somewhere; a whole number as a float (12.0) is that layer."""
    if isinstance(layer, bool) or not isinstance(layer, (int, float)):
        return f"layer {layer!r} is not a number: give {LAYER_HELP}"
    if isinstance(layer, float) and layer == 1.0:
        return "layer 1.0 is ambiguous: write 1 for the first layer or -1 for the last (a fraction lies below 1)"
    if 0 < layer < 1 or (layer == int(layer) and layer != 0):
        return None
    return f"layer {layer} names no layer: give {LAYER_HELP}"


def layer_index(n_layers: int, layer: float) -> int:
    """The hidden-state index (1..n_layers; 0 would be the embeddings) that a retrieval layer names."""
    problem = layer_problem(layer)
    if problem:
        raise StiltsError(problem)
    if 0 < layer < 1:
        return max(1, round(layer * n_layers))
    idx = int(layer) if layer > 0 else n_layers + 1 + int(layer)
    if not 1 <= idx <= n_layers:
        raise StiltsError(f"layer {layer}: the encoder has {n_layers} layers (give {LAYER_HELP})")
    return idx
