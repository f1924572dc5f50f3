"""advmine's TextAttack perturbations skip building every candidate text (fast_augment), yet must give exactly
what TextAttack's own `Augmenter.augment` gives for the same text and seeds, and leave the RNGs where it does."""
from __future__ import annotations

import random

import numpy as np
import pytest

from advmine.perturbations import make_perturbation, parse
from stilts.core.tasks import load

METHODS = ["wordnet:pct=0.2", "wordnet:pct=0.5", "char-swap", "char-delete", "char-insert:pct=0.3",
           "char-substitute", "qwerty:pct=0.4"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rows = load("mnli", "train", source="kit").select(range(50))
    return list(dict.fromkeys(t for r in rows for t in (r["text_a"], r["text_b"]))) + ["", "Hi.", "The of the."]


def _seeded(fn, text: str, seed: int):
    random.seed(seed)
    np.random.seed(seed % 2**32)
    out = fn(text)
    return out, random.getstate(), np.random.get_state()[1].tolist()


@pytest.mark.parametrize("name", METHODS)
def test_fast_augment_equals_textattack_augmenter(name, texts):
    method = make_perturbation(parse(name), ["sw"], "en")
    assert method.fast.exact  # the fast path is really taken, not the fallback
    changed = 0
    for k, text in enumerate(texts):
        for seed in (k, 10_000 + k):
            ours, theirs = _seeded(method.fast.augment, text, seed), _seeded(method.augmenter.augment, text, seed)
            assert ours == theirs, (name, text, seed)
            changed += ours[0] != [text]
    assert changed > len(texts)  # the comparison covers real perturbations, not only untouched texts


def test_perturb_is_the_augmenter_under_the_step_seed(texts):
    """`perturb(text, variant, seed)` = the Augmenter after perturb's own per-text seeding."""
    import hashlib

    method = make_perturbation(parse("wordnet:pct=0.2"), [], "en")
    for text in texts[:40]:
        digest = hashlib.sha256(f"wordnet|1|7|{text}".encode()).digest()
        random.seed(int.from_bytes(digest[:8], "little"))
        np.random.seed(int.from_bytes(digest[8:12], "little"))
        expected = (method.augmenter.augment(text) or [text])[0]
        assert method.perturb(text, 1, 7) == expected


def test_wordnet_output_is_the_same_in_every_process(texts):
    """TextAttack's WordNet swap returns `list(set(synonyms))`, ordered by Python's per-process string hash seed:
    before, the same seed gave another output (and dataset fingerprint) in every new process. advmine sorts the
    candidates, so another process with another hash seed perturbs exactly as this one does."""
    import json
    import os
    import subprocess
    import sys

    method = make_perturbation(parse("wordnet:pct=0.3"), ["sw"], "en")
    assert method.augmenter.transformation._get_replacement_words("good") == sorted(
        method.augmenter.transformation._get_replacement_words("good"))
    sample = texts[:12]
    here = [method.perturb(t, 0, 7) for t in sample]
    script = ("import json, sys; from advmine.perturbations import make_perturbation, parse; "
              "m = make_perturbation(parse('wordnet:pct=0.3'), ['sw'], 'en'); "
              "print(json.dumps([m.perturb(t, 0, 7) for t in json.loads(sys.stdin.read())]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script], input=json.dumps(sample), capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == here
    assert sum(a != b for a, b in zip(here, sample)) >= 6
