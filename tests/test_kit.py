"""The embedded kit: loadable through the normal loader, in at least five languages and scripts, and made of
the project's own sentences (its generator, scripts/kitgen, is tested in test_kitgen.py)."""
from __future__ import annotations

import gzip
from collections import Counter

from stilts.core.tasks import KIT_DIR, KIT_LANGS, is_labelled, load


def test_kit_loads_balanced_and_parallel():
    on_disk = {p.name.split("-", 1)[1].split(".")[0] for p in (KIT_DIR / "xnli").glob("test-*")}
    assert on_disk == set(KIT_LANGS) and len(KIT_LANGS) == len(set(KIT_LANGS))   # the constant is the kit
    train, dev = load("mnli", "train", source="kit"), load("mnli", "dev", source="kit")
    assert (len(train), len(dev)) == (3000, 300)
    assert Counter(train["label"]) == {0: 1000, 1: 1000, 2: 1000}
    tests = {lang: load("xnli", "test", lang, source="kit") for lang in KIT_LANGS}
    assert {len(ds) for ds in tests.values()} == {300}
    assert len({tuple(ds["label"]) for ds in tests.values()}) == 1   # row i is the same example everywhere
    assert all(is_labelled(ds, "pair_classification") for ds in tests.values())
    assert load("xnli", "train", "en", source="kit")["text_a"] == train["text_a"]  # XNLI trains on MNLI


def test_kit_scripts_are_the_languages_they_claim():
    probe = {"th": "\u0e00", "ar": "\u0600", "ru": "\u0400", "zh": "\u4e00", "hi": "\u0900"}
    for lang, block in probe.items():
        text = "".join(load("xnli", "dev", lang, source="kit")["text_a"][:20])
        lo = ord(block)
        assert sum(lo <= ord(c) < lo + (0x5200 if lang == "zh" else 0x100) for c in text) > len(text) // 3, lang


def test_kit_rows_are_not_copied_from_real_benchmarks(shared_data):
    kit = set(load("mnli", "train", source="kit")["text_a"]) | set(load("xnli", "test", "sw", source="kit")["text_a"])
    real = set()
    for path in [*sorted((shared_data / "xnli").glob("*-sw.tsv.gz")), *sorted((shared_data / "xnli").glob("*-en.tsv.gz"))]:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            real |= {line.split("\t")[0] for line in f}
    assert not kit & real
