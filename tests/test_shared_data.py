"""Every benchmark file in ../shared/data loads through the --data-dir path, with the manifest's row counts,
languages and label sets. The expected counts are read from MANIFEST.md itself, not copied here."""
from __future__ import annotations

import gzip
import hashlib
import re
from collections import defaultdict
from pathlib import Path

import pytest

from stilts.core.tasks import get_task, is_labelled, load, load_pool

# manifest path regex -> (task, split, lang, load kwargs); groups named `split`, `lang`, `code`, `variant`.
RULES: list[tuple[str, str, dict]] = [
    (r"xnli/(?P<split>dev|test)-(?P<lang>\w+)\.tsv\.gz", "xnli", {}),
    (r"pawsx/(?P<split>dev|test)-(?P<lang>\w+)\.tsv\.gz", "pawsx", {}),
    (r"panx/(?P<split>dev|train)-(?P<lang>\w+)\.tsv\.gz", "panx", {}),
    (r"udpos_xtreme/(?P<split>dev|train)-(?P<lang>\w+)\.tsv\.gz", "udpos", {"layout": "xtreme"}),
    (r"udpos/UD_[\w-]+/(?P<lang>\w+?)_\w+-ud-(?P<split>\w+)\.conllu\.gz", "udpos", {"layout": "ud_conllu"}),
    (r"xquad/xquad\.(?P<lang>\w+)\.json\.gz", "xquad", {"split": "test"}),
    (r"mlqa/MLQA_V1/dev/dev-context-(?P<lang>\w+)-question-\w+\.json\.gz", "mlqa", {"split": "dev"}),
    (r"tydiqa/tydiqa-goldp-v1.1-\w+/tydiqa\.goldp\.(?P<lang>\w+)\.(?P<split>dev|train)\.json\.gz", "tydiqa", {}),
    (r"lareqa/xquad-r/(?P<lang>\w+)\.json\.gz", "lareqa", {"split": "test"}),
    (r"tatoeba/tatoeba\.(?P<code>\w+)-eng\.\w+", "tatoeba", {"split": "test"}),
    (r"bucc2018/(?P<lang>\w+)-en\.(?P<split>dev)\.(?P<role>\w+)\.gz", "bucc", {}),
    (r"xcopa/(?P<lang>\w+)/(?P<split>val|test)\.\w+\.jsonl", "xcopa", {}),
    (r"copa_en/(?P<split>train|val|test)-en\.jsonl", "copa", {}),
    (r"siqa/socialIQa_v1\.4_(?P<split>dev|tst)\.jsonl", "siqa", {}),
    (r"sst2/(?P<split>train|dev|test)\.tsv\.gz", "sst2", {}),
    (r"cosmosqa/valid\.csv\.gz", "cosmosqa", {"split": "dev"}),
    (r"anli/anli_v1\.0/R\d/(?P<split>dev|test)\.jsonl", "anli", {}),
    (r"hellaswag/hellaswag_val_full\.txt\.gz", "hellaswag", {"split": "dev"}),
    (r"(?P<task>mnli|qqp|snli)/powerfulpromptft_sample/(?P<split>train|dev)\.json(\.gz)?", "",
     {"layout": "powerfulpromptft_sample"}),
    (r"mnli/lmbff_kshot/16-(?P<variant>\d+)/(?P<split>train|dev)(_matched)?\.tsv", "mnli", {"layout": "lmbff_kshot"}),
    (r"mnli/textfooler/(?P<variant>\w+)", "mnli", {"layout": "textfooler", "split": "dev"}),
    (r"snli/textfooler/snli", "snli", {"layout": "textfooler", "split": "test"}),
    (r"commonsenseqa/dev_rand_split\.jsonl", "commonsenseqa", {"split": "dev"}),
]
SPLIT_NAMES: dict = {"val": "dev", "tst": "test", ("tydiqa", "dev"): "test"}  # XTREME scores TyDiQA's dev



def manifest_rows(shared: Path) -> list[tuple[str, str]]:
    rows = []
    for line in (shared / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 8 and "/" in cells[2] and cells[2] != "local path":
            rows.append((cells[2], cells[7]))
    return rows


def expected_loads(shared: Path) -> dict[tuple, dict]:
    """Group manifest files into loads: (task, split, lang, kwargs) -> summed expected counts."""
    groups: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))  # type: ignore[arg-type]
    unmatched = []
    for path, rows in manifest_rows(shared):
        if "licence" in rows or "readme" in rows:
            continue
        for pattern, task, kwargs in RULES:
            m = re.fullmatch(pattern, path)
            if m:
                break
        else:
            unmatched.append(path)
            continue
        g = m.groupdict()
        task = task or g["task"]
        kw = dict(kwargs)
        split = g.get("split") or kw.pop("split")
        kw.pop("split", None)
        split = SPLIT_NAMES.get((task, split), SPLIT_NAMES.get(split, split))
        lang = g.get("lang")
        if g.get("code"):
            spec = get_task(task)
            lang = next((k for k, v in spec.lang_codes.items() if v == g["code"]), g["code"])
        if g.get("variant"):
            kw["variant"] = g["variant"]
        key = (task, split, lang, tuple(sorted(kw.items())))
        numbers = [int(x.replace(",", "")) for x in re.findall(r"[\d,]+", rows)]
        role = g.get("role") or ("eng" if path.endswith(".eng") and task == "tatoeba" else "main")
        if task == "tatoeba" and role == "main":
            if path.endswith(".eng"):
                role = "eng"
        groups[key][f"{role}_rows"] += numbers[0]
        groups[key].setdefault("files", []).append(path)
        if "tokens" in rows:
            groups[key]["tokens"] += numbers[1]
    assert not unmatched, f"manifest files with no loader rule: {unmatched}"
    return {k: dict(v) for k, v in groups.items()}


def test_manifest_is_fully_mapped(shared_data):
    loads = expected_loads(shared_data)
    tasks = {k[0] for k in loads}
    assert {"xnli", "pawsx", "panx", "udpos", "xquad", "mlqa", "tydiqa", "lareqa", "tatoeba", "bucc", "xcopa",
            "copa", "siqa", "sst2", "cosmosqa", "anli", "hellaswag", "mnli", "qqp", "snli", "commonsenseqa"} == tasks


def _params(shared: Path):
    from conftest import SHARED_DATA
    if not (SHARED_DATA / "MANIFEST.md").is_file():
        return []
    return sorted(expected_loads(SHARED_DATA).items(), key=lambda kv: str(kv[0]))


@pytest.mark.parametrize("key,expected", _params(Path()), ids=lambda v: "-".join(map(str, v[:3])) if isinstance(v, tuple) else "")
def test_load_matches_manifest(shared_data, key, expected):
    task, split, lang, kw = key
    spec = get_task(task)
    ds = load(task, split, lang, data_dir=shared_data, **dict(kw))
    lang = lang or spec.train_language
    assert set(ds["lang"]) == {lang} and lang in spec.all_languages
    if task == "bucc":
        assert len(ds) == expected[f"{lang}_rows"]
        assert sum(len(t) for t in ds["target_ids"]) == expected["gold_rows"]
        assert len(load_pool(task, split, lang, data_dir=shared_data)) == expected["en_rows"]
        return
    if task == "tatoeba":
        assert len(ds) == expected["main_rows"] == expected["eng_rows"]
        assert len(load_pool(task, split, lang, data_dir=shared_data)) == expected["eng_rows"]
        return
    if spec.kind == "tagging":
        _check_tagging_counts(ds, expected, shared_data)
    else:
        assert len(ds) == expected["main_rows"], f"{key}: {len(ds)} rows, manifest says {expected['main_rows']}"
    _check_labels(spec, ds, task, split)


def _independent_counts(path: Path) -> tuple[int, int]:
    """(sentences, words) counted straight from the file, without the project's readers."""
    sentences = words = 0
    in_sentence = False
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                in_sentence = False
                continue
            if path.name.endswith(".conllu.gz"):
                if line.startswith("#") or "-" in line.split("\t")[0] or "." in line.split("\t")[0]:
                    continue
            words += 1
            if not in_sentence:
                sentences, in_sentence = sentences + 1, True
    return sentences, words


def _check_tagging_counts(ds, expected, shared):
    """Sentences and words must equal an independent count of the files. The manifest's own figures are within
    1.5% (sentences) and 5% (tokens) of it: it counts CoNLL-U multiword-range lines as tokens, and for a few XTREME files (udpos ru, panx
    ja/zh, ...) its sentence/token figures differ slightly from what the files hold."""
    counts = [_independent_counts(shared / f) for f in expected["files"]]
    sentences, words = sum(c[0] for c in counts), sum(c[1] for c in counts)
    assert (len(ds), sum(len(t) for t in ds["tokens"])) == (sentences, words)
    assert abs(expected["main_rows"] - sentences) <= 0.015 * sentences
    assert abs(expected["tokens"] - words) <= 0.05 * words


def _check_labels(spec, ds, task, split):
    stripped = (task in ("xnli", "pawsx") and split == "test") or (task == "tydiqa" and split == "test")
    assert is_labelled(ds, spec.kind) != stripped
    if not stripped and spec.kind.endswith("classification"):
        assert set(ds["label"]) == set(range(len(spec.labels)))  # every class occurs, none unknown
    if not stripped and spec.kind == "multiple_choice":
        assert min(ds["label"]) == 0 and all(0 <= lab < len(c) for lab, c in zip(ds["label"], ds["choices"]))
    if spec.kind == "tagging":
        assert {t for tags in ds["tags"] for t in tags} <= set(range(len(spec.labels)))


def test_lareqa_pool_spans_all_languages(shared_data):
    pool = load_pool("lareqa", "test", data_dir=shared_data)
    assert len(pool) == 13014 and len(set(pool["lang"])) == 11
    q = load("lareqa", "test", "de", data_dir=shared_data)
    ids = set(pool["id"])
    assert all(len(t) == 11 and set(t) <= ids for t in q["target_ids"][:50])


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        st = p.stat()
        h.update(f"{p.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def test_shared_is_not_modified(shared_data):
    before = _tree_digest(shared_data)
    load("xnli", "dev", "sw", data_dir=shared_data)
    load("udpos", "test", "th", data_dir=shared_data)
    assert _tree_digest(shared_data) == before
