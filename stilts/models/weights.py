"""Stage outputs that store only what training changed: the trainable parameters over a named base model.

A stage that freezes the embeddings and the lowest layers leaves most of the encoder (e5-small: 96M of its 118M
weights are word embeddings) exactly as the phase-1 model has it, so writing the whole model per stage, cell and
seed mostly copies the base. A *delta* directory holds `delta.safetensors` (the trainable parameters, plus any
that an earlier delta had changed), the HF `config.json`, the tokenizer, and `base.json`: the base model's path
and the fingerprint of its weights. Loading builds the base, puts the delta over it, and refuses, in one line, a
base whose weights are not the ones the delta was trained on. A model with nothing frozen is saved whole, as
before. Every loader in the project goes through `load_pretrained`.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from stilts.core.errors import StiltsError
from stilts.models.tensor_hash import tensors_fingerprint

BASE = "base.json"
DELTA = "delta.safetensors"
_FINGERPRINTS: dict[tuple, str] = {}


def is_delta(path: str | Path) -> bool:
    return (Path(path) / BASE).is_file()


def base_of(path: str | Path) -> dict | None:
    """A delta directory's base record ({base, fingerprint, ...}), or None for a whole model."""
    p = Path(path) / BASE
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except ValueError:
        raise StiltsError(f"{p}: unreadable; retrain the stage that wrote {path}") from None


def _weights_fingerprint(base_module: Any) -> str:
    """An encoder's weights (parameters and persistent buffers; the pooler is left out: some task heads build the
    encoder without one)."""
    return tensors_fingerprint((n, t) for n, t in base_module.state_dict().items() if not n.startswith("pooler."))


def _files_id(path: str) -> tuple:
    p = Path(path)
    files = sorted(p.glob("*.safetensors")) + sorted(p.glob("*.bin")) if p.is_dir() else []
    return (str(p.resolve()) if p.exists() else path,
            tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files))


def _memo_file(key: tuple) -> Path:
    import hashlib

    from stilts.core.outputs import cache_root

    return cache_root() / "fingerprints" / (hashlib.sha256(repr(key).encode()).hexdigest()[:32] + ".json")


def root_fingerprint(path: str, encoder: Callable[[], Any]) -> str:
    """The fingerprint of the whole model at `path`, from `encoder()`, its freshly loaded encoder. Memoised per
    file set (path, names, sizes, modification times): in the process, and on disk under $STILTS_CACHE, so
    that each evaluation of a grid does not hash the same base again (e5-small: about a second)."""
    key = _files_id(path)
    if key not in _FINGERPRINTS:
        memo = _memo_file(key)
        try:
            _FINGERPRINTS[key] = json.loads(memo.read_text(encoding="utf-8"))["fingerprint"]
        except (OSError, ValueError, KeyError):
            _FINGERPRINTS[key] = _weights_fingerprint(encoder())
            if key[1]:   # a directory of weight files (never memoise a hub id on disk)
                import os
                import uuid

                memo.parent.mkdir(parents=True, exist_ok=True)
                tmp = memo.with_name(f".{memo.name}.tmp-{uuid.uuid4().hex[:8]}")
                tmp.write_text(json.dumps({"path": key[0], "fingerprint": _FINGERPRINTS[key]}), encoding="utf-8")
                os.replace(tmp, memo)
    return _FINGERPRINTS[key]


def _overlay(model: Any, state: dict[str, torch.Tensor], where: Path) -> set[str]:
    """Put delta tensors into `model` (names as saved from a task model or from its encoder); returns the
    encoder-relative names it set. Head tensors are skipped when `model` is an encoder alone."""
    prefix = model.base_model_prefix
    own = model.state_dict()
    is_encoder = model is model.base_model
    loaded: set[str] = set()
    updates = {}
    for name, tensor in state.items():
        rel = name[len(prefix) + 1:] if name.startswith(prefix + ".") else name
        for cand in (name, f"{prefix}.{name}", rel):
            if cand in own:
                updates[cand] = tensor
                break
        else:
            if _left_out(model, rel):   # e.g. BERT's pooler, trained under a sequence head, absent from a tagger
                continue
            if is_encoder and name.startswith(prefix + "."):
                raise StiltsError(f"{where}: {name} is not a weight of {type(model).__name__}")
            if not is_encoder:
                raise StiltsError(f"{where}: {name} is not a weight of {type(model).__name__}; it was saved "
                                  "from another architecture")
            continue   # a head tensor, read as an encoder only
        loaded.add(rel if not is_encoder else name)
    result = model.load_state_dict(updates, strict=False)
    if result.unexpected_keys:
        raise StiltsError(f"{where}: unexpected weights {result.unexpected_keys[:3]}")
    return loaded


def _left_out(model: Any, rel: str) -> bool:
    """Whether an encoder-relative tensor name belongs to a module this architecture builds without (`pooler` is
    None in BertForTokenClassification): such a tensor is dropped, as `from_pretrained` drops it."""
    return getattr(model.base_model, rel.split(".", 1)[0], ...) is None


def load_pretrained(cls: Any, path: str | Path, **kwargs: Any) -> Any:
    """`cls.from_pretrained(path, **kwargs)` for a whole model or a delta directory. The model remembers its
    base (`stilts_root`, `stilts_root_fingerprint`) and what deltas changed, so that saving it again writes
    a delta over the same base."""
    import transformers
    from safetensors.torch import load_file
    from transformers import AutoConfig

    path = Path(path)
    info = base_of(path)
    level = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()   # a new or delta-filled head is expected to be "newly initialized"
    try:
        if info is None:
            model = cls.from_pretrained(str(path), **kwargs)
            model.stilts_root, model.stilts_delta_keys = str(path), set()
            return model
        root = info["base"]
        if not Path(root).exists() and Path(root).is_absolute():
            raise StiltsError(f"{path} holds only trained weights over the base model {root}, which is not there "
                              f"any more; rebuild it (stilts train builds it again) or retrain {path}")
        config = AutoConfig.from_pretrained(str(path), **kwargs)
        model = cls.from_pretrained(root, config=config)
    finally:
        transformers.logging.set_verbosity(level)
    fp = root_fingerprint(root, lambda: model.base_model)
    if fp != info["fingerprint"]:
        raise StiltsError(f"{path} was trained over a base model with weights {info['fingerprint']}, but {root} "
                          f"now has {fp}; retrain {path}, or restore the base it was trained on")
    model.stilts_root, model.stilts_root_fingerprint = root, fp
    model.stilts_delta_keys = _overlay(model, load_file(str(path / DELTA)), path)
    return model


def _unwrap(model: Any) -> Any:
    inner = getattr(model, "model", None)
    return inner if inner is not None and hasattr(inner, "base_model") else model


def save_model(model: Any, out: str | Path, tokenizer: Any = None, encoder_only: bool = False) -> Path:
    """Save a task model (or, `encoder_only`, its encoder) as a delta over its base when part of it is frozen,
    else whole. The delta holds every trainable tensor and whatever an earlier delta had changed."""
    from safetensors.torch import save_file

    from stilts.models.frozen import frozen_prefix

    model = _unwrap(model)
    out = Path(out)
    target = model.base_model if encoder_only else model
    prefix = model.base_model_prefix
    rel = (lambda n: n) if target is model.base_model else \
        (lambda n: n[len(prefix) + 1:] if n.startswith(prefix + ".") else None)
    changed = getattr(model, "stilts_delta_keys", set())
    keep = {n for n, p in target.named_parameters() if p.requires_grad or rel(n) in changed}
    names = [n for n, _ in target.named_parameters()]
    root = getattr(model, "stilts_root", None)
    if root is None or len(keep) == len(names):
        target.save_pretrained(out)
    else:
        fp = getattr(model, "stilts_root_fingerprint", None)
        if fp is None:   # loaded whole from the root itself: the root's own weights, as on disk
            from transformers import AutoModel

            fp = root_fingerprint(root, lambda: AutoModel.from_pretrained(root))
        out.mkdir(parents=True, exist_ok=True)
        for stale in list(out.glob("*.safetensors")) + list(out.glob("*.bin")):
            stale.unlink()
        state = {n: t.detach().cpu().contiguous() for n, t in target.state_dict().items() if n in keep}
        save_file(state, str(out / DELTA))
        target.config.save_pretrained(out)
        (out / BASE).write_text(json.dumps({"base": str(Path(root).resolve()) if Path(root).exists() else root,
                                            "fingerprint": fp, "class": type(target).__name__,
                                            "frozen_layers": frozen_prefix(model),
                                            "trained_tensors": len(state)}, indent=1), encoding="utf-8")
    if tokenizer is not None:
        for f in list(out.iterdir()) if out.is_dir() else []:   # never write through a link into the root's files
            if f.is_file() and f.stat().st_nlink > 1:
                f.unlink()
        _without_call_state(tokenizer).save_pretrained(out)
        if root is not None and (out / BASE).is_file():
            link_unchanged(out, Path(root))
    return out


def _without_call_state(tokenizer: Any) -> Any:
    """A copy without the truncation and padding that the last call left on a fast tokenizer's backend: not
    part of the tokenizer, and it makes every saved tokenizer.json differ from its root's."""
    import copy

    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or (backend.truncation is None and backend.padding is None):
        return tokenizer
    clean = copy.deepcopy(tokenizer)
    clean.backend_tokenizer.no_truncation()
    clean.backend_tokenizer.no_padding()
    return clean


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def link_unchanged(out: Path, root: Path) -> int:
    """Hard-link the files of a delta dir that are byte-identical to its root's (the tokenizer: 17 MB for
    e5-small, a third of a delta), so that a grid stores them once; a copy stays where linking fails (another
    file system). Returns how many were linked."""
    import os
    import uuid

    linked = 0
    for f in out.iterdir():
        twin = root / f.name
        if not f.is_file() or f.name in (BASE, DELTA) or not twin.is_file() or f.samefile(twin):
            continue
        if not _same_bytes(f, twin):
            continue
        tmp = out / f".{f.name}.link-{uuid.uuid4().hex[:8]}"
        try:
            os.link(twin, tmp)
        except OSError:
            continue
        os.replace(tmp, f)
        linked += 1
    return linked


def trainable_state(model: Any) -> dict[str, torch.Tensor]:
    """What a mid-stage checkpoint needs: the trainable tensors (the rest is the stage's starting model)."""
    return {n: p.detach().cpu() for n, p in model.named_parameters() if p.requires_grad}


def load_trainable(model: Any, state: dict[str, torch.Tensor], where: Path) -> None:
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    if set(state) != trainable:
        raise ValueError(f"{where} holds {len(state)} trained tensors, this stage trains {len(trainable)}")
    model.load_state_dict(state, strict=False)
