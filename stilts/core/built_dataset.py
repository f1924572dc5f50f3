"""An advmine output as every reader sees it: the on-disk contract between `advmine build` (which writes it) and
`stilts train`, `stilts compare` and `advmine inspect/merge` (which read it), in one place.

A built dataset is a directory written atomically by advmine's write step, holding the `datasets` save
(`dataset_dict.json` and the Arrow files), `parquet/<split>.parquet` (what the hub serves), the dataset card
`README.md`, `build.yaml` (the build config), `stats.json` (content fingerprint, rows per split, every step's
statistics) and `checksums.json`. The same dataset pushed to the hub is named `hf:org/name`.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stilts.core.errors import StiltsError

BUILD_CONFIG = "build.yaml"
STATS = "stats.json"
CARD = "README.md"
PARQUET = "parquet"
DATASET_DICT = "dataset_dict.json"
HUB_PREFIX = "hf:"
HUB_FILES = [CARD, f"{PARQUET}/*", BUILD_CONFIG, STATS]   # what a push uploads


@dataclass(frozen=True)
class BuiltDataset:
    location: str   # a directory, or hf:org/name

    @staticmethod
    def is_built(source: str | Path) -> bool:
        """A finished local build (all three of its index files; the write step renames them in at once)."""
        p = Path(source)
        return all((p / n).is_file() for n in (DATASET_DICT, BUILD_CONFIG, STATS))

    @classmethod
    def find(cls, source: str | Path) -> BuiltDataset | None:
        """The built dataset `source` names (a finished directory or `hf:org/name`), or None."""
        s = str(source)
        return cls(s) if s.startswith(HUB_PREFIX) or cls.is_built(s) else None

    @classmethod
    def open(cls, source: str | Path) -> BuiltDataset:
        found = cls.find(source)
        if found is None:
            raise StiltsError(f"{source}: not an advmine dataset (no {DATASET_DICT} / {BUILD_CONFIG} / {STATS})")
        return found

    @property
    def on_hub(self) -> bool:
        return self.location.startswith(HUB_PREFIX)

    @property
    def path(self) -> Path:
        return Path(self.location)

    def _file(self, name: str) -> Path:
        if not self.on_hub:
            return self.path / name
        from stilts.core.hub import require_hub

        repo = self.location[len(HUB_PREFIX):]
        require_hub(f"dataset {repo}", "a local advmine directory (advmine build --out DIR)")
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(repo, name, repo_type="dataset"))

    def build_config(self) -> dict[str, Any]:
        """The build config as written (a mapping; advmine.config.resolve turns it back into a BuildConfig)."""
        return yaml.safe_load(self._file(BUILD_CONFIG).read_text(encoding="utf-8"))

    def stats(self) -> dict[str, Any]:
        return self._stats

    @functools.cached_property
    def _stats(self) -> dict[str, Any]:
        """Read once per instance (a finished build's stats never change): `step_info` asks for them per step."""
        return json.loads(self._file(STATS).read_text(encoding="utf-8"))

    @property
    def task(self) -> str:
        return self.build_config()["task"]

    def step_info(self, step: str) -> dict[str, Any]:
        """One step's `info` statistics (e.g. "select", "contamination"), {} when the build had no such step."""
        return next((s["info"] for s in self.stats()["steps"] if s["name"] == step), {})

    def load(self, verify: bool = True) -> Any:
        """The DatasetDict; a local one is checked against its checksums first (one line naming a bad file)."""
        if self.on_hub:
            from datasets import load_dataset

            return load_dataset(self.location[len(HUB_PREFIX):])
        from datasets import load_from_disk

        from stilts.core.outputs import verify_tree

        if verify:
            verify_tree(self.path, "advmine dataset")
        return load_from_disk(str(self.path))

    def training_split(self) -> Any:
        """The rows a stage trains on: the `train` split, else the only split there is (a set built from a
        benchmark's dev rows, e.g. `advmine build --task xnli --splits dev`, keeps the name `dev`)."""
        if self.on_hub:
            return self.split("train")
        splits = self.load()
        if "train" in splits:
            return splits["train"]
        if len(splits) == 1:
            return next(iter(splits.values()))
        raise StiltsError(f"{self.location}: no train split and several others ({', '.join(splits)}): build the "
                          "rows to train on alone (advmine build --splits SPLIT)")

    def split(self, name: str = "train") -> Any:
        if self.on_hub:
            from datasets import load_dataset

            return load_dataset(self.location[len(HUB_PREFIX):], split=name)
        return self.load()[name]
