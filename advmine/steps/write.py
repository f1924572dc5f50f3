"""Write the DatasetDict (save_to_disk + parquet), the card and the stats, atomically: everything goes into a
hidden temp dir beside the target, which is renamed into place only when complete."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import uuid
from pathlib import Path

import yaml
from datasets import DatasetDict

from advmine.card import render_card
from advmine.config import BuildConfig
from advmine.fingerprint import content_fingerprint
from advmine.pipeline import StepStats
from stilts.core.built_dataset import BUILD_CONFIG, CARD, PARQUET, STATS


def write_dataset(data: DatasetDict, out: str | Path, cfg: BuildConfig, stats: list[StepStats]) -> str:
    """Returns the content fingerprint. A killed write leaves only `.<name>.tmp-*`, never a complete-looking DIR."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        data.save_to_disk(str(tmp))
        (tmp / PARQUET).mkdir()
        for split, ds in data.items():
            ds.to_parquet(str(tmp / PARQUET / f"{split}.parquet"))
        fingerprint = content_fingerprint(data)
        rows = {split: len(ds) for split, ds in data.items()}
        (tmp / CARD).write_text(render_card(cfg, stats, rows, fingerprint), encoding="utf-8")
        from advmine.datamap import write_data_maps

        write_data_maps(tmp, stats)   # the figures the card references
        (tmp / BUILD_CONFIG).write_text(yaml.safe_dump(cfg.to_dict(), sort_keys=True), encoding="utf-8")
        (tmp / STATS).write_text(json.dumps({"fingerprint": fingerprint, "rows": rows,
                                                    "steps": [dataclasses.asdict(s) for s in stats]},
                                                   indent=1, ensure_ascii=False), encoding="utf-8")
        from stilts.core.outputs import remove_path, write_tree_checksums

        write_tree_checksums(tmp)
        old = None
        if out.exists() or out.is_symlink():
            old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            os.rename(out, old)
        os.rename(tmp, out)
        if old:
            remove_path(old)
        return fingerprint
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
