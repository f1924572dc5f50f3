"""One shared encoder, a head per task kind: the Hugging Face task classes of the encoder's architecture
(XLM-R: XLMRobertaFor{SequenceClassification, MultipleChoice, QuestionAnswering, TokenClassification,
MaskedLM}). A phase hands the next one only the encoder (`save_encoder`), so every new phase starts with a
freshly initialised head; retrieval uses the encoder's pooled hidden states and needs no head, and is trained
(LAReQA, Mewsli-X) as a dual encoder whose only weights are the encoder's (`DualEncoder`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from stilts.errors import StiltsError

HEADS = {"pair_classification": "AutoModelForSequenceClassification",
         "single_classification": "AutoModelForSequenceClassification",
         "multiple_choice": "AutoModelForMultipleChoice", "span_qa": "AutoModelForQuestionAnswering",
         "tagging": "AutoModelForTokenClassification", "mlm": "AutoModelForMaskedLM"}


def make_model(kind: str, encoder: str | Path, num_labels: int | None = None) -> Any:
    """A task model whose encoder weights come from `encoder` and whose head is new."""
    import transformers

    if kind not in HEADS:
        raise StiltsError(f"no training head for {kind} tasks")
    cls = getattr(transformers, HEADS[kind])
    kwargs = {"num_labels": num_labels} if num_labels and kind in ("pair_classification", "single_classification",
                                                                    "tagging") else {}
    if kind == "span_qa":  # start and end logits, whatever the encoder's previous head had
        kwargs = {"num_labels": 2}
    # The head is new on purpose: transformers' "newly initialized ... You should probably TRAIN this model"
    # warning is expected here, so it is silenced for this call only.
    level = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    try:
        return cls.from_pretrained(str(encoder), **kwargs)
    finally:
        transformers.logging.set_verbosity(level)


def freeze(model: Any, embeddings: bool = False, layers: int = 0) -> None:
    """Stop training the word embeddings and/or the lowest `layers` transformer layers. On a CPU this is what
    makes a real encoder trainable in minutes: autograd then stops below the first trainable layer."""
    base = model.base_model
    if embeddings:
        base.embeddings.word_embeddings.requires_grad_(False)
    if layers:
        blocks = base.encoder.layer
        if layers > len(blocks):
            raise StiltsError(f"freeze_layers={layers}, but the encoder has only {len(blocks)} layers")
        base.embeddings.requires_grad_(False)
        for block in blocks[:layers]:
            block.requires_grad_(False)


def save_encoder(model: Any, tokenizer: Any, out: str | Path) -> Path:
    """Only the shared encoder (no head), loadable with AutoModel.from_pretrained."""
    out = Path(out)
    model.base_model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def mean_pool(hidden: Any, mask: Any) -> Any:
    """Mean over non-pad tokens: the pooled sentence representation for retrieval (XTREME's default)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


@dataclass
class RetrievalOutput:
    loss: torch.Tensor
    logits: torch.Tensor   # (queries, targets): cosine similarity / temperature


class DualEncoder(torch.nn.Module):
    """XTREME-R's retrieval fine-tuning (LAReQA on SQuAD, Mewsli-X on Wikipedia pairs): one shared encoder embeds
    queries and targets by mean pooling (`mean_pool`) of hidden layer `layer`, the one `stilts eval` reads, so
    evaluation sees the representation that was trained; the loss is cross-entropy of each query over the
    in-batch targets (cosine / temperature). It is one-directional, query -> targets, as XTREME's
    BertForRetrieval and as evaluation searches; the reverse direction is never evaluated. The temperature is
    fixed, so the saved model is the encoder alone (AutoModel)."""

    def __init__(self, encoder: Any, layer: float, temperature: float = 0.05):
        super().__init__()
        from stilts.eval.retrieval import layer_index

        self.encoder = encoder
        self.layer = layer_index(encoder.config.num_hidden_layers, layer)
        self.temperature = temperature

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """L2-normalised mean-pooled vectors; columns that are padding for every row are cut off first."""
        width = max(int(attention_mask.sum(1).max()), 1)
        input_ids, attention_mask = input_ids[:, :width], attention_mask[:, :width]
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        pooled = mean_pool(out.hidden_states[self.layer], attention_mask)
        return torch.nn.functional.normalize(pooled.float(), dim=-1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                labels: torch.Tensor | None = None) -> RetrievalOutput:
        """`input_ids`/`attention_mask` (batch, 2, length): each row's query [:, 0] and its target [:, 1], padded
        together by the multiple-choice collate. `labels`: a key of each target's text; a row whose target equals
        row i's is not a negative of query i (SQuAD questions often share an answer sentence)."""
        queries = self.embed(input_ids[:, 0], attention_mask[:, 0])
        targets = self.embed(input_ids[:, 1], attention_mask[:, 1])
        with torch.autocast(queries.device.type, enabled=False):  # bf16 would round cosines near 1 together
            logits = queries.float() @ targets.float().T / self.temperature
        if labels is not None:
            same = labels[:, None] == labels[None, :]
            same.fill_diagonal_(False)
            logits = logits.masked_fill(same, float("-inf"))
        gold = torch.arange(len(logits), device=logits.device)
        return RetrievalOutput(loss=torch.nn.functional.cross_entropy(logits, gold), logits=logits)

    def save_pretrained(self, out: str | Path) -> None:
        """What the loop keeps of the best epoch: the encoder, in Hugging Face format."""
        self.encoder.save_pretrained(out)
