"""Persistent translation cache: (translator, model id, source language, target language, text) -> translation.

SQLite in WAL mode, committed after every batch, so a build killed with `kill -9` loses at most the batch in
flight and a rerun asks the model only for what is missing. Several processes (accelerate launch) may share it.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path


def default_cache_dir() -> Path:
    return Path(os.environ.get("ADVMINE_CACHE", Path.home() / ".cache" / "advmine"))


def file_digest(path: str | Path) -> str:
    """sha256 of a file's content: what step keys and lexicon ids follow, so an edited file counts as new
    whatever its name, size or time stamp."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(translator: str, model_id: str, src: str, tgt: str, text: str) -> str:
    return hashlib.sha256(json.dumps([translator, model_id, src, tgt, text]).encode("utf-8")).hexdigest()


class TranslationCache:
    def __init__(self, directory: str | Path | None = None, name: str = "translations.sqlite"):
        path = Path(directory) if directory else default_cache_dir()
        path.mkdir(parents=True, exist_ok=True)
        self.path = path / name
        self.db = sqlite3.connect(self.path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS t (key TEXT PRIMARY KEY, translator TEXT, model_id TEXT, "
                        "tgt TEXT, source TEXT, output TEXT)")
        self.db.commit()

    def get_many(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            q = f"SELECT key, output FROM t WHERE key IN ({','.join('?' * len(chunk))})"
            found.update(self.db.execute(q, chunk).fetchall())
        return found

    def put_many(self, rows: Iterable[tuple[str, str, str, str, str, str]]) -> None:
        """rows: (key, translator, model_id, tgt, source, output); one transaction per call."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO t VALUES (?, ?, ?, ?, ?, ?)", list(rows))

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM t").fetchone()[0]

    def close(self) -> None:
        self.db.close()


class EmbeddingCache:
    """(embedder, model id, text) -> float32 vector, in the same SQLite file family as translations."""

    def __init__(self, directory: str | Path | None = None):
        self.kv = TranslationCache(directory, name="embeddings.sqlite")
        self.kv.db.execute("CREATE TABLE IF NOT EXISTS e (key TEXT PRIMARY KEY, vec BLOB)")
        self.kv.db.commit()

    @staticmethod
    def key(embedder: str, model_id: str, text: str) -> str:
        return hashlib.sha256(json.dumps([embedder, model_id, text]).encode("utf-8")).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            q = f"SELECT key, vec FROM e WHERE key IN ({','.join('?' * len(chunk))})"
            found.update(self.kv.db.execute(q, chunk).fetchall())
        return found

    def put_many(self, rows: Iterable[tuple[str, bytes]]) -> None:
        with self.kv.db:
            self.kv.db.executemany("INSERT OR REPLACE INTO e VALUES (?, ?)", list(rows))

    def close(self) -> None:
        self.kv.close()
