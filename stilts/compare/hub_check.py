"""`stilts tasks --check-hub`: does the real path work? With internet, a few rows of every task x language
(streamed, so nothing large is downloaded) go through the same mapping into the unified schema as a real
load, and every default model id (phase 1, the translators for the real grid's languages, the embedder)
resolves its config and tokenizer. One row per check: ok, or the one-line reason."""
from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stilts.core.errors import StiltsError, one_line
from stilts.core.tasks.registry import list_tasks
from stilts.core.tasks.spec import TaskSpec

ROWS = 3
REAL_GRID = Path(__file__).resolve().parents[2] / "configs" / "grids" / "xtreme-r-large.yaml"
PHASE1_DEFAULT = "xlm-roberta-large"


@dataclass(frozen=True)
class Check:
    kind: str        # dataset | model
    name: str        # task or model role
    detail: str      # language/split, or the model id
    run: Any         # () -> str (what was seen), raising on failure


def _splits_to_check(spec: TaskSpec, lang: str) -> list[str]:
    hub_splits = spec.hub.splits if spec.hub else {}
    wanted = [spec.eval_split] if spec.eval_split else []
    if lang == spec.train_language:
        wanted += ["train", "dev"]
    return [s for s in dict.fromkeys(wanted) if s in hub_splits] or list(hub_splits)[:1]


def dataset_check(spec: TaskSpec, split: str, lang: str) -> str:
    from datasets import load_dataset

    from stilts.core.tasks.loader import hub_job, hub_rows_of, hub_source
    from stilts.core.tasks.unify import unify

    path, config, hub_split, extra = hub_source(spec, split, lang)
    stream = load_dataset(path, config, split=hub_split, streaming=True, **extra)
    keep = hub_rows_of(spec, lang)
    rows = list(itertools.islice(filter(keep, stream) if keep else stream, ROWS))
    if not rows:
        raise StiltsError(f"{path} {config or ''} {hub_split}: no rows")
    job = hub_job(spec, split, lang, stream.features)
    unified = [unify(r, job, f"{spec.name}@hub", i, {"labelled": None}) for i, r in enumerate(rows)]
    return f"{len(unified)} rows from {path}" + (f" ({config})" if config else "") + f" [{hub_split}]"


def model_check(model_id: str) -> str:
    from transformers import AutoConfig, AutoTokenizer

    from stilts.core.hub import require_hub

    require_hub(f"model {model_id}", "a local directory")
    cfg = AutoConfig.from_pretrained(model_id)
    tok = AutoTokenizer.from_pretrained(model_id)
    return f"{cfg.model_type}, {type(tok).__name__}, vocab {len(tok)}"


def default_models() -> list[tuple[str, str]]:
    """(role, model id) for every default the real grid touches: phase 1, each translator for the grid's
    languages, the sentence embedder."""
    from advmine.config import TranslatorConfig
    from advmine.embedders import SentenceTransformerEmbedder
    from advmine.translators import make_translator

    grid = yaml.safe_load(REAL_GRID.read_text(encoding="utf-8"))
    langs = sorted({lang for d in grid.get("datasets", {}).values() for lang in d.get("langs", []) if lang != "en"})
    out = [("phase 1", grid.get("model", PHASE1_DEFAULT))]
    for name in ("nllb", "m2m100"):
        tr = make_translator(TranslatorConfig(name=name))
        out.append((f"translator {name}", tr.model_id(langs[0])))
    marian = make_translator(TranslatorConfig(name="marian"))
    for lang in langs:
        out.append((f"translator marian ({lang})", marian.model_id(lang)))
    out.append(("embedder sentence-transformers", SentenceTransformerEmbedder.default))
    return out


def plan_checks(tasks: list[str] | None = None, langs: list[str] | None = None,
                models: bool = True) -> list[Check]:
    checks = []
    for spec in list_tasks():
        if spec.hub is None or (tasks and spec.name not in tasks):
            continue
        for lang in spec.languages:
            if langs and lang not in langs:
                continue
            for split in _splits_to_check(spec, lang):
                checks.append(Check("dataset", spec.name, f"{lang}/{split}",
                                    lambda s=spec, sp=split, lg=lang: dataset_check(s, sp, lg)))
    if models and not tasks:
        checks += [Check("model", role, mid, lambda m=mid: model_check(m)) for role, mid in default_models()]
    return checks


def run_checks(checks: list[Check], workers: int = 16) -> list[dict[str, str]]:
    """Every check, in parallel (they wait on the network), each caught into one line."""
    def one(c: Check) -> dict[str, str]:
        try:
            seen, status = c.run(), "ok"
        except Exception as e:  # a check reports; it never stops the others
            seen, status = one_line(f"{type(e).__name__}: {e}" if not isinstance(e, StiltsError) else str(e))[:300], "FAIL"
        return {"kind": c.kind, "name": c.name, "what": c.detail, "status": status, "detail": seen}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, checks))
