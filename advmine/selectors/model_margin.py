"""`model-margin`: score each example with a reference classifier (a `stilts train` run directory or any
Hugging Face sequence classifier, hub id or local dir) and keep the lowest margin p(gold) - max p(other)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind


def model_margin_scores(points, rows: list[dict], kind: str, cfg, seed: int) -> np.ndarray:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from stilts.core.hub import require_hub

    task_kind = get_kind(kind)
    if not task_kind.classifies:
        raise StiltsError(f"model-margin scores classification tasks; a {kind} task needs --select "
                          "knn-disagreement or aflite")
    if not cfg.model_id:
        raise StiltsError("model-margin needs a reference model: --set select.model_id=RUN_DIR_OR_HUB_ID")
    mid = cfg.model_id
    if not Path(mid).is_dir():
        require_hub(f"model {mid}", "select.model_id=LOCAL_DIR (a stilts run or a saved classifier)")
    tok = AutoTokenizer.from_pretrained(mid)
    from stilts.models.weights import load_pretrained   # a stilts run's model may be a delta over its base

    model = load_pretrained(AutoModelForSequenceClassification, mid).eval()
    scores = np.zeros(len(rows))
    order = sorted(range(len(rows)), key=lambda i: len(rows[i].get("text_a", rows[i].get("text", ""))))
    for start in range(0, len(order), cfg.batch_size):
        batch = order[start:start + cfg.batch_size]
        enc = tok(*task_kind.classifier_texts([rows[i] for i in batch]), truncation=True, padding=True,
                  max_length=256, return_tensors="pt")
        with torch.inference_mode():
            probs = model(**enc).logits.float().softmax(-1).numpy()
        for i, p in zip(batch, probs):
            gold = rows[i]["label"]
            other = np.delete(p, gold).max() if len(p) > 1 else 0.0
            scores[i] = -(p[gold] - other)  # low margin (or a wrong prediction) = hard
    return scores
