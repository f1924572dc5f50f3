"""`stilts eval`: zero-shot evaluation of a model trained on English, on every language of a task, with the
benchmark's own metric. Retrieval tasks use the encoder alone. For each task it writes `<out>/<task>.json`
(scores per language, every example's prediction and gold, model and data fingerprints) and `<task>.md`
(XTREME leaderboard layout: one row, a column per language, the English score, the average over the other
languages and the cross-lingual gap). A language's score is the metric's `task_score`, the number `stilts
compare` bootstraps: for QA (F1 + EM) / 2, as XTREME averages QA tasks."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from stilts.core.errors import StiltsError
from stilts.core.kinds import get_kind
from stilts.eval.metrics import bucc_optimize, compute, get_metric, task_score
from stilts.eval.retrieval import RetrievalConfig, config_for, mine_bitext, nearest, similarity_search
from stilts.eval.retrieval import embed as embed_texts
from stilts.core.tasks import get_task, is_labelled, load, load_pool
from stilts.models import layer_index
from stilts.models.retrieval_profile import profile_of
from stilts.models.weights import base_of, load_pretrained


def model_fingerprint(model_dir: str | Path) -> str:
    """A hash of the model's weight files (a delta: its trained tensors and the base they sit on)."""
    h = hashlib.sha256()
    if (Path(model_dir) / "base.json").is_file():
        h.update((Path(model_dir) / "base.json").read_bytes())
    for f in sorted(Path(model_dir).glob("*.safetensors")) + sorted(Path(model_dir).glob("*.bin")):
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


def evaluation_split(spec: Any, split: str, lang: str, kw: dict) -> tuple[str, int]:
    """(the split a language is scored on, its row count): the eval split, or the labelled dev split where the
    publisher stripped its labels, as `evaluate_task` decides."""
    ds, used, _ = _load_eval(spec, split, lang, kw, None)
    return used, len(ds)


def _load_eval(spec: Any, split: str, lang: str, kw: dict, limit: int | None, skip: int = 0) -> tuple[Any, str, str]:
    """The evaluation rows; when the publisher stripped the labels, the labelled dev split instead (said so)."""
    note = ""
    try:
        ds = load(spec, split, lang, **kw)
    except StiltsError:
        if "dev" not in spec.splits or split == "dev":
            raise
        ds = load(spec, "dev", lang, **kw)  # e.g. BUCC: the test (training) set is not in this data dir
        note, split = f"no {split} files for {lang} here: scored on the dev split", "dev"
    if not note and not is_labelled(ds, spec.kind):
        other = "dev" if "dev" in spec.splits and split != "dev" else None
        if other:
            try:
                dev = load(spec, other, lang, **kw)
            except StiltsError:
                dev = None
            if dev is not None and is_labelled(dev, spec.kind):
                ds, note, split = dev, f"{split} labels are stripped by the publisher: scored on the labelled {other} split", other
        if not note:
            note = f"{split} has no gold labels here: predictions only, no score"
    elif note and not is_labelled(ds, spec.kind):
        note += " (which has no gold labels here: predictions only)"
    if skip or limit:  # `skip`: rows that English model selection reads (a split cut into selection and test)
        if skip >= len(ds):
            raise StiltsError(f"{spec.name} {lang} {split}: skip={skip} leaves none of its {len(ds)} rows")
        ds = ds.select(range(skip, min(skip + limit, len(ds)) if limit else len(ds)))
    return ds, split, note


def _head_model(model_dir: str, spec: Any):
    import transformers
    from transformers import AutoConfig

    kind = get_kind(spec.kind)
    config = AutoConfig.from_pretrained(model_dir)
    if spec.labels and kind.head_per_label and config.num_labels != len(spec.labels):
        raise StiltsError(f"{model_dir} has a head with {config.num_labels} labels; {spec.name} needs "
                          f"{len(spec.labels)} ({spec.kind}): evaluate it with a model trained on {spec.name}")
    return load_pretrained(getattr(transformers, kind.head), model_dir)


def evaluate_task(model_dir: str, task: str, *, source: str = "hub", data_dir: str | None = None,
                  langs: list[str] | None = None, split: str | None = None, limit: int | None = None,
                  skip: int = 0, retrieval: RetrievalConfig | None = None, feature_cache: bool = False,
                  feature_cache_dtype: str = "float32", cache_layers: int = 0, precision: str = "auto",
                  log=print) -> dict:
    """`retrieval`: how a retrieval task reads the encoder (default: the model's profile, `config_for`); the
    settings used are recorded under "retrieval". `feature_cache`: a model trained with its lowest layers frozen
    (a delta that names them) reads the stored states after those layers (stilts.models.feature_cache) instead of
    recomputing them; same scores. `cache_layers`: the prefix to store for a model that names none (a grid's
    plain phase-1 encoder, whose lowest layers are every trained cell's frozen prefix: one store serves all).
    `precision`: inference autocast (stilts.core.precision; recorded under "precision")."""
    from stilts.core.precision import inference_precision

    with inference_precision(precision):
        result = _evaluate_task(model_dir, task, source=source, data_dir=data_dir, langs=langs, split=split,
                                limit=limit, skip=skip, retrieval=retrieval, feature_cache=feature_cache,
                                feature_cache_dtype=feature_cache_dtype, cache_layers=cache_layers, log=log)
    result["precision"] = precision
    return result


def _evaluate_task(model_dir: str, task: str, *, source: str, data_dir: str | None, langs: list[str] | None,
                   split: str | None, limit: int | None, skip: int, retrieval: RetrievalConfig | None,
                   feature_cache: bool, feature_cache_dtype: str, cache_layers: int, log) -> dict:
    from accelerate import PartialState
    from transformers import AutoModel, AutoTokenizer

    spec = get_task(task)
    kw = {"source": source, "data_dir": data_dir}
    split = split or spec.eval_split
    tok = AutoTokenizer.from_pretrained(model_dir)
    device = PartialState().device
    retrieval_task = get_kind(spec.kind).dual_encoder
    model = (load_pretrained(AutoModel, model_dir) if retrieval_task else _head_model(model_dir, spec)).to(device)
    result: dict[str, Any] = {"task": spec.name, "metric": spec.metric, "model": str(model_dir),
                              "model_fingerprint": model_fingerprint(model_dir), "source": source,
                              "data_dir": data_dir, "languages": {}, "unavailable": {}}
    model, prefix = _with_cache(model, model_dir, feature_cache, feature_cache_dtype, tok.pad_token_id, log,
                                cache_layers)
    if prefix:
        result["feature_cache"] = {"layer": model.k, "dtype": feature_cache_dtype}
    if retrieval_task:
        retrieval = retrieval or config_for(model_dir)
        result["retrieval"] = retrieval_record(model_dir, retrieval, model.config.num_hidden_layers)
        log(f"{spec.name}: {retrieval_line(result['retrieval'])}")
    for lang in langs or spec.languages:
        try:
            ds, used, note = _load_eval(spec, split, lang, kw, limit, skip)
        except StiltsError as e:
            result["unavailable"][lang] = str(e)[:200]
            continue
        if retrieval_task:
            entry = _retrieval(spec, ds, used, lang, model, tok, retrieval, kw, prefix)
        else:
            entry = _with_head(spec, ds, lang, model, tok, note, prefix)
        entry.update(split=used, note="; ".join(n for n in (note, entry.get("note", "")) if n), rows=len(ds),
                     data_fingerprint=ds._fingerprint)
        result["languages"][lang] = entry
        log(f"{spec.name} {lang}: " + (f"{entry['score']:.2f}" if entry.get("score") is not None else "no score")
            + (f" ({entry['note']})" if entry.get("note") else ""))
    if not result["languages"]:
        raise StiltsError(f"{spec.name}: no language could be loaded from {source}"
                          + (f" {data_dir}" if data_dir else "") + f" (e.g. {next(iter(result['unavailable'].values()), '')})")
    scored = {lg: e["score"] for lg, e in result["languages"].items() if e.get("score") is not None}
    others = [v for lg, v in scored.items() if lg != "en"]
    result["summary"] = {"en": scored.get("en"), "avg_non_en": float(np.mean(others)) if others else None,
                         "avg_all": float(np.mean(list(scored.values()))) if scored else None}
    s = result["summary"]
    s["gap"] = s["en"] - s["avg_non_en"] if s["en"] is not None and s["avg_non_en"] is not None else None
    return result


def retrieval_record(model_dir: str, cfg: RetrievalConfig, n_layers: int) -> dict:
    """What retrieval scores were read with, for the tables and the grid report: the settings, the layer they name
    in this model, the model's profile, and whether that layer lies inside the prefix frozen in training (then no
    training changed it, and every condition of a comparison ties)."""
    idx = layer_index(n_layers, cfg.layer)
    frozen = int((base_of(model_dir) or {}).get("frozen_layers") or 0)
    return {**asdict(cfg), "layer_index": idx, "layers": n_layers, "profile": profile_of(model_dir)[0],
            "frozen_layers": frozen, "in_frozen_prefix": idx <= frozen}


def retrieval_line(r: dict) -> str:
    """One line of a retrieval record: the layer read, pooling, prefix, and the frozen-prefix warning."""
    line = (f"layer {r['layer_index']} of {r['layers']} (layer={r['layer']:g}), {r['pooling']} pooling, "
            f"prefix {r['prefix']!r} (model profile: {r['profile']})")
    if r["in_frozen_prefix"]:
        line += (f"; WARNING: inside the {r['frozen_layers']} layers frozen in training, so no training changed "
                 "what is scored (every condition ties): read a layer above them")
    return line


def _with_cache(model: Any, model_dir: str, on: bool, dtype: str, pad_id: int, log,
                layers: int = 0) -> tuple[Any, Any]:
    """The model as a PrefixModel with a function that adds stored states to features, when the cache is on and
    the model names frozen layers (else `layers`); else the model as it is and None."""
    if not on:
        return model, None
    k = int((base_of(model_dir) or {}).get("frozen_layers") or layers or 0)
    if k < 1:
        log(f"feature cache: off ({model_dir} was not trained with frozen layers)")
        return model, None
    from stilts.models import freeze
    from stilts.models.feature_cache import cached_features
    from stilts.models.prefix import PrefixModel

    freeze(model, layers=k)
    wrapped = PrefixModel(model, k, loaded=True)

    def add(feats: Any) -> Any:
        return cached_features(model, k, feats, pad_id, dtype, fingerprint=wrapped.fingerprint, log=log)

    return wrapped, add


def _with_head(spec: Any, ds: Any, lang: str, model: Any, tok: Any, note: str, prefix: Any = None) -> dict:
    from stilts.core.predict import predict

    preds = predict(model, tok, ds, spec.kind, spec.max_length or 256, with_prefix=prefix)
    preds, golds, note = get_kind(spec.kind).zero_shot(preds, ds, spec.labels)
    scores = compute(spec.metric, preds, golds, lang) if is_labelled(ds, spec.kind) else {}
    return {"score": task_score(spec.metric, scores) if scores else None, "scores": scores, "note": note,
            "predictions": [{"id": i, "pred": p, "gold": g} for i, p, g in zip(ds["id"], preds, golds)]}


def _retrieval(spec: Any, ds: Any, split: str, lang: str, model: Any, tok: Any, cfg: RetrievalConfig,
               kw: dict, prefix: Any = None) -> dict:
    embed = partial(embed_texts, prefix=prefix)
    queries = embed(model, tok, list(ds["query"]), cfg)
    if spec.metric == "retrieval_accuracy" and cfg.tatoeba_direction == "en->xx":
        # XTREME's direction (similarity_search(x=xx, y=en)): the English sentence aligned with row i searches
        # this split's xx sentences and must find row i
        ids = list(ds["id"])
        english = embed(model, tok, list(ds["target"]), cfg)
        preds, golds = [ids[j] for j in similarity_search(queries, english)], ids
        scores = compute("retrieval_accuracy", preds, golds)
        return {"score": task_score(spec.metric, scores), "scores": scores, "pool": len(ids),
                "note": "English sentences search the xx ones (en->xx, XTREME's direction)",
                "predictions": [{"id": i, "pred": p, "gold": g} for i, p, g in zip(ids, preds, golds)]}
    if spec.name == "lareqa":
        pool = load_pool(spec, split, None, **kw)
    else:
        pool = load_pool(spec, split, lang, **kw)
    pool_vec = embed(model, tok, list(pool["text"]), cfg)
    pool_ids = list(pool["id"])
    if spec.metric == "retrieval_accuracy":  # xx->en
        preds = [pool_ids[j] for j in similarity_search(pool_vec, queries)]
        golds = [t[0] for t in ds["target_ids"]]
        scores = compute("retrieval_accuracy", preds, golds)
        note = "xx sentences search the whole English pool (xx->en, not XTREME's direction)"
    elif spec.metric == "bucc_f1":
        cands = mine_bitext(queries, pool_vec, list(ds["query"]), list(pool["text"]), list(ds["id"]), pool_ids,
                            cfg.margin_k)
        gold = {(i, t) for i, ts in zip(ds["id"], ds["target_ids"]) for t in ts}
        threshold, _ = bucc_optimize(cands, gold)
        preds = [(s, t) for s, t, sc in cands if sc >= threshold]
        golds = sorted(gold)
        scores = {**compute("bucc_f1", preds, golds), "threshold": threshold}
        note = f"threshold {threshold:.4f} chosen on this split's ({split}) gold, as XTREME tunes it on dev"
    else:  # LAReQA / Mewsli-X: rank the pool, mAP@20
        _, idx = nearest(queries, pool_vec, 20)
        preds = [[pool_ids[j] for j in row] for row in idx]
        golds = [list(t) for t in ds["target_ids"]]
        scores = compute("map_at_20", preds, golds)
        note = "pool: all languages" if spec.name == "lareqa" else ""
    return {"score": task_score(spec.metric, scores), "scores": scores, "note": note, "pool": len(pool_ids),
            "predictions": [{"id": i, "pred": p, "gold": g} for i, p, g in zip(ds["id"], preds, golds)]
            if spec.metric != "bucc_f1" else [{"pair": list(p)} for p in preds]}


def markdown_table(results: list[dict], name: str) -> str:
    lines = []
    for r in results:
        langs = list(r["languages"])
        scored_as = get_metric(r["metric"]).leaderboard
        lines += [f"### {r['task']} ({r['metric']}" + (f", scored as {scored_as})" if scored_as else ")"), "",
                  "| model | " + " | ".join(langs) + " | avg (all, as XTREME) | avg (non-en) | gap (en - non-en) |",
                  "|---|" + "---|" * (len(langs) + 3)]
        fmt = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
        s = r["summary"]
        lines.append(f"| {name} | " + " | ".join(fmt(r["languages"][lg].get("score")) for lg in langs)
                     + f" | {fmt(s['avg_all'])} | {fmt(s['avg_non_en'])} | {fmt(s['gap'])} |")
        notes = sorted({e["note"] for e in r["languages"].values() if e.get("note")})
        lines += [""] + [f"- {n}" for n in notes]
        if r.get("retrieval", {}).get("layer_index"):   # results written before the record have no layer index
            lines.append(f"- retrieval: {retrieval_line(r['retrieval'])}")
        if r["unavailable"]:
            lines.append(f"- not available from this source: {', '.join(r['unavailable'])}")
        lines.append("")
    return "\n".join(lines)


def write_results(results: list[dict], out: str | Path, name: str) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for r in results:
        tmp = out / f".{r['task']}.json.tmp"
        tmp.write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.rename(out / f"{r['task']}.json")
        (out / f"{r['task']}.md").write_text(markdown_table([r], name), encoding="utf-8")
    (out / "results.md").write_text(markdown_table(results, name), encoding="utf-8")
    return out / "results.md"
