"""The build's sentence vectors, computed once by the embed step and read by every later step that needs them
(selection, contamination), so no step builds an embedder or embeds a text a second time.

On disk: `vectors.npy` (a float32 matrix, saved and loaded with allow_pickle=False) and `texts.json` (the text of
each row, in order). A lookup returns the very float32 values the embedder produced, so scores computed from
the store equal those computed from the embedder."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from stilts.core.errors import StiltsError

MATRIX, TEXTS = "vectors.npy", "texts.json"


class VectorStore:
    """Texts and their vectors (one float32 row per distinct text), looked up by text."""

    def __init__(self, texts: list[str], matrix: np.ndarray):
        if len(texts) != len(matrix):
            raise StiltsError(f"vector store: {len(texts)} texts but {len(matrix)} vectors")
        self.texts, self.matrix = list(texts), np.asarray(matrix, dtype=np.float32)
        self._row = {t: i for i, t in enumerate(self.texts)}

    @classmethod
    def from_mapping(cls, vectors: Mapping[str, np.ndarray]) -> VectorStore:
        texts = list(vectors)
        matrix = np.stack([vectors[t] for t in texts]).astype(np.float32, copy=False) if texts \
            else np.zeros((0, 0), dtype=np.float32)
        return cls(texts, matrix)

    def __len__(self) -> int:
        return len(self.texts)

    def _rows(self, texts: Iterable[str]) -> list[int]:
        try:
            return [self._row[t] for t in texts]
        except KeyError as e:
            raise StiltsError(f"vector store: no vector for {str(e.args[0])[:80]!r} (the embed step did not "
                              "embed it)") from None

    def lookup(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """text -> vector for the distinct `texts` (the shape `advmine.points.build_points` reads)."""
        unique = list(dict.fromkeys(texts))
        return {t: self.matrix[i] for t, i in zip(unique, self._rows(unique))}

    def stack(self, texts: list[str]) -> np.ndarray:
        """One row per text, in order (a faiss index's input)."""
        return self.matrix[self._rows(texts)]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / MATRIX, self.matrix, allow_pickle=False)
        (folder / TEXTS).write_text(json.dumps(self.texts, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> VectorStore:
        return cls(json.loads((folder / TEXTS).read_text(encoding="utf-8")),
                   np.load(folder / MATRIX, allow_pickle=False))
