"""Convert a transformers translation model to CTranslate2 once, and find the conversion again.

Conversions live under the stilts cache root (`<cache_root>/ct2/<key>`), keyed by what the converted weights
depend on: the model's content (a local directory's file contents, or a hub snapshot's commit hash, which is
git's hash of every file), the ctranslate2 version and the quantization. A conversion is written into a temp
directory, marked done there and renamed into place, so a killed job never leaves one that looks finished and
two processes converting at once both end up with one complete copy.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from stilts.core.errors import StiltsError
from stilts.core.markers import done, key_of, mark_done
from stilts.core.outputs import cache_root


def content_hash(directory: Path) -> str:
    """sha256 over every (relative path, bytes) of a model directory, hidden files and folders left out."""
    h = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        rel = path.relative_to(directory)
        if any(part.startswith(".") for part in rel.parts):
            continue
        h.update(f"{rel.as_posix()}\0{path.stat().st_size}\0".encode())
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
    return h.hexdigest()


def source_of(model_id: str) -> tuple[str, str | None, str]:
    """(what to convert, hub revision or None, content hash) for a local directory or a hub id."""
    if Path(model_id).is_dir():
        return str(Path(model_id).resolve()), None, content_hash(Path(model_id))
    from huggingface_hub import snapshot_download

    try:   # the config alone: enough to learn the snapshot's commit, whose name is the content hash
        commit = Path(snapshot_download(model_id, allow_patterns=["config.json"])).name
    except Exception as e:  # noqa: BLE001 - the hub client raises many kinds; the user needs one line
        raise StiltsError(f"cannot resolve translation model {model_id}: {' '.join(str(e).split())[:300]}") from None
    return model_id, commit, commit


def converted(model_id: str, quantization: str) -> Path:
    """The CTranslate2 directory for `model_id` with weights stored as `quantization`, converting if needed."""
    import ctranslate2

    source, revision, content = source_of(model_id)
    key = key_of("ct2", content, ctranslate2.__version__, quantization)
    dest = cache_root() / "ct2" / key
    if done(dest, key):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{key}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    from ctranslate2.converters import TransformersConverter

    try:
        TransformersConverter(source, revision=revision).convert(str(tmp), quantization=quantization, force=True)
    except (OSError, ValueError, NotImplementedError) as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StiltsError(f"cannot convert {model_id} to CTranslate2: {' '.join(str(e).split())[:300]}") from None
    mark_done(tmp, key, model_id=model_id, revision=revision, quantization=quantization,
              ctranslate2=ctranslate2.__version__)
    if dest.exists() and not done(dest, key):
        shutil.rmtree(dest)            # unmarked (e.g. its marker was removed): never counted as done
    try:
        os.rename(tmp, dest)
    except OSError:
        if not done(dest, key):        # another process published first; anything else is a real error
            raise
        shutil.rmtree(tmp, ignore_errors=True)
    return dest
