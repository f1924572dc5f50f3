"""The dual encoder that XTREME-R's retrieval targets are fine-tuned as (kept apart from `stilts.models` so that
importing the package, e.g. for its sources table, does not import torch)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from stilts.models import mean_pool


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
        from stilts.models import layer_index

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
