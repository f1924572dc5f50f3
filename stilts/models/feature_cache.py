"""The frozen-prefix feature cache: hidden states after layer k, computed once and reused.

With the embeddings and the lowest k layers frozen, the states after layer k depend only on those weights and on
the token ids, so they are stored once per (prefix weights, k, token-id sequences), in a memory-mapped array
under `$STILTS_CACHE/prefix-features/<prefix fingerprint>/<sequences hash>-<dtype>/`, and every training stage,
cell, seed, epoch and evaluation that tokenises the same texts the same way reads them. The key is a hash of the
prefix's weights and of the token ids themselves (so the tokenizer, max_length and text or text pair are all in
it): a cache of another model, another k or other inputs is never read. Entries are written to a temporary
directory and renamed into place, under a lock, so a killed build leaves nothing that looks finished.

Each sequence is stored unpadded; a row of multiple-choice or pair features holds several sequences."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from stilts.core.batching import collate, sorted_index_batches
from stilts.core.outputs import cache_root, output_lock

CacheDtype = Literal["float32", "float16"]
META = "meta.json"


def _nested(first: Any) -> bool:
    return bool(first) and isinstance(first[0], list)


def flat_sequences(input_ids: list) -> tuple[list[list[int]], np.ndarray]:
    """Every token-id sequence of a feature column, in order, and where each row's first one is."""
    seqs: list[list[int]] = []
    starts = np.zeros(len(input_ids) + 1, dtype=np.int64)
    for i, row in enumerate(input_ids):
        if _nested(row):
            seqs.extend(row)
        else:
            seqs.append(row)
        starts[i + 1] = len(seqs)
    return seqs, starts


def sequences_hash(seqs: list[list[int]]) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(np.asarray([len(s) for s in seqs], dtype=np.int64).tobytes())
    for s in seqs:
        h.update(np.asarray(s, dtype=np.int32).tobytes())
    return h.hexdigest()


class PrefixStore:
    """The stored states of a list of sequences: sequence i is rows offsets[i]:offsets[i+1] of `hidden`."""

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        meta = json.loads((self.dir / META).read_text(encoding="utf-8"))
        self.meta = meta
        self.offsets = np.load(self.dir / "offsets.npy")
        shape = (int(self.offsets[-1]), int(meta["hidden_size"]))
        self.hidden = np.memmap(self.dir / "hidden.bin", dtype=meta["dtype"], mode="r", shape=shape) \
            if shape[0] else np.zeros(shape, dtype=meta["dtype"])

    def __getitem__(self, i: int) -> np.ndarray:
        return self.hidden[self.offsets[i]:self.offsets[i + 1]]

    @property
    def megabytes(self) -> float:
        return (self.dir / "hidden.bin").stat().st_size / 2**20 if (self.dir / "hidden.bin").exists() else 0.0


def build_store(model: Any, k: int, seqs: list[list[int]], pad_id: int, dtype: CacheDtype = "float32",
                batch_size: int = 64, fingerprint: str | None = None,
                log: Callable[[str], None] = print) -> PrefixStore:
    """The store of `seqs` for this model's prefix: read when it exists, else computed (progress bar) and
    written atomically."""
    from tqdm.auto import tqdm

    from stilts.models.prefix import prefix_fingerprint, prefix_hidden

    fp = fingerprint or prefix_fingerprint(model, k)
    final = cache_root() / "prefix-features" / fp / f"{sequences_hash(seqs)}-{dtype}"
    if (final / META).is_file():
        return PrefixStore(final)
    with output_lock(final, "feature cache build"):
        if (final / META).is_file():   # another process built it while this one waited
            return PrefixStore(final)
        t0 = time.perf_counter()
        tmp = final.parent / f".{final.name}.tmp-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        lengths = np.asarray([len(s) for s in seqs], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        hidden_size = model.config.hidden_size
        out = np.memmap(tmp / "hidden.bin", dtype=dtype, mode="w+", shape=(int(offsets[-1]), hidden_size)) \
            if offsets[-1] else None
        device = next(model.parameters()).device
        batches = sorted_index_batches(lengths, batch_size)
        for idx in tqdm(batches, desc=f"feature cache (layer {k})", unit="batch"):
            b = collate([{"input_ids": seqs[i]} for i in idx], pad_id)
            with torch.autocast(device.type, enabled=False):   # stored states never depend on inference precision
                h = prefix_hidden(model, b["input_ids"].to(device), b["attention_mask"].to(device), k)
            h = h.float().cpu().numpy()
            for row, i in enumerate(idx):
                out[offsets[i]:offsets[i + 1]] = h[row, :lengths[i]]
        if out is not None:
            out.flush()
            del out
        np.save(tmp / "offsets.npy", offsets)
        meta = {"prefix_fingerprint": fp, "k": k, "dtype": dtype, "hidden_size": hidden_size,
                "sequences": len(seqs), "tokens": int(offsets[-1]), "seconds": round(time.perf_counter() - t0, 2)}
        (tmp / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        os.rename(tmp, final)
        store = PrefixStore(final)
        log(f"feature cache: {len(seqs)} sequences, layer {k}, {store.megabytes:.1f} MB ({dtype}) in "
            f"{meta['seconds']:.1f} s -> {final}")
        return store


class _Rows:
    def __init__(self, owner: "PrefixFeatures", idx: list[int]) -> None:
        self.owner, self.idx = owner, list(idx)

    def to_list(self) -> list[dict]:
        rows = self.owner.feats.select(self.idx).to_list()
        store, starts = self.owner.store, self.owner.starts
        for i, row in zip(self.idx, rows):
            a, b = int(starts[i]), int(starts[i + 1])
            row["prefix_hidden"] = [store[j] for j in range(a, b)] if _nested(row["input_ids"]) else store[a]
        return rows


class PrefixFeatures:
    """Tokenised features with their stored prefix states: reads like the `datasets.Dataset` it wraps
    (`len`, a column by name, `select(idx).to_list()`), and each row gains `prefix_hidden`, which `collate` pads."""

    def __init__(self, feats: Any, store: PrefixStore) -> None:
        self.feats, self.store = feats, store
        _, self.starts = flat_sequences(feats["input_ids"])
        if int(self.starts[-1]) != len(store.offsets) - 1:
            raise ValueError(f"feature cache {store.dir} holds {len(store.offsets) - 1} sequences, the features "
                             f"{int(self.starts[-1])}")

    def __len__(self) -> int:
        return len(self.feats)

    def __getitem__(self, column: str) -> Any:
        return self.feats[column]

    @property
    def column_names(self) -> list[str]:
        return self.feats.column_names

    def select(self, idx: Any) -> _Rows:
        return _Rows(self, idx)


def cached_features(model: Any, k: int, feats: Any, pad_id: int, dtype: CacheDtype = "float32",
                    fingerprint: str | None = None, log: Callable[[str], None] = print) -> PrefixFeatures:
    """`feats` with their prefix states, building the store on first use."""
    seqs, _ = flat_sequences(feats["input_ids"])
    return PrefixFeatures(feats, build_store(model, k, seqs, pad_id, dtype, fingerprint=fingerprint, log=log))
