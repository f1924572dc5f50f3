"""A tagged word's label sits on its head: the first sub-token that holds one of its characters, not the bare '▁'
that a sentencepiece tokenizer (XLM-R, e5-small) puts before most CJK words (issue 24: PAN-X zh 6.5 and UD-POS
zh 14.6 F1 came from labels and predictions on that piece). Training labels and predictions read one rule."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from transformers import AutoTokenizer

from advmine.tiny import build_tiny_xlmr
from stilts.core.kinds import IGNORE, get_kind
from stilts.core.kinds.tagging import word_heads

BARE = "\u2581"


def test_word_heads_skip_a_bare_marker_and_keep_it_when_it_is_all_there_is():
    word_ids = [None, 0, 0, 1, 2, 2, 3, None]
    pieces = ["<s>", BARE, "中", "\u2581Kenya", "\u2581ab", "c", BARE, "</s>"]
    assert word_heads(word_ids, pieces) == {0: 2, 1: 3, 2: 4, 3: 6}


@pytest.fixture(scope="module")
def cjk_tokenizer(tmp_path_factory) -> Path:
    """A tiny sentencepiece vocabulary where CJK characters occur only inside words: a CJK word is then '▁'
    followed by its characters, as under XLM-R's vocabulary for most Chinese characters."""
    texts = ["ab中 cd国 the river", "ef家 gh中国 a big river", "kenya is big", "中国 river"] * 20
    return build_tiny_xlmr(tmp_path_factory.mktemp("cjk"), texts, vocab_size=40)


def test_labels_and_predictions_sit_on_the_character_not_on_the_bare_marker(cjk_tokenizer):
    tok = AutoTokenizer.from_pretrained(cjk_tokenizer)
    tagging = get_kind("tagging")
    words, tags = ["国", "river", "家"], [1, 0, 2]
    enc = tagging.encode_batch({"tokens": [words], "tags": [tags]}, tok, 32)
    pieces = tok.convert_ids_to_tokens(enc["input_ids"][0])
    labels = enc["labels"][0]
    assert pieces.count(BARE) == 2, pieces                      # both CJK words start with a bare '▁'
    assert all(lab == IGNORE for p, lab in zip(pieces, labels) if p == BARE)
    assert [(p, lab) for p, lab in zip(pieces, labels) if lab != IGNORE] == [("国", 1), ("\u2581river", 0), ("家", 2)]
    # prediction reads the labelled positions: logits that say tag 5 on '▁' and the gold tag on the head
    logits = torch.zeros(1, len(pieces), 6)
    for k, (p, lab) in enumerate(zip(pieces, labels)):
        logits[0, k, 5 if p == BARE else max(lab, 0)] = 1.0
    preds: dict = {}
    tagging.decode([0], [{"labels": labels}], SimpleNamespace(logits=logits), preds)
    assert preds == {0: tags}


def test_real_e5_tokenizer_on_panx_and_udpos_zh(shared_data):
    """The finding on the real data: most PAN-X zh words (one character each) and many UD-POS zh words start with a
    bare '▁' under e5-small's (XLM-R's) vocabulary; with the head rule no label sits on one."""
    from stilts.core.tasks import load
    from stilts.models.e5_file import read_e5_file
    from stilts.models.e5_small import build_tokenizer, image_path

    tok = build_tokenizer(read_e5_file(image_path()))
    tagging = get_kind("tagging")
    for task, least in (("panx", 0.5), ("udpos", 0.2)):
        rows = load(task, "dev", "zh", data_dir=shared_data).select(range(200))[:]   # plain lists
        enc = tok(rows["tokens"], is_split_into_words=True, truncation=True, max_length=256)
        labels = tagging.encode_batch({"tokens": rows["tokens"], "tags": rows["tags"]}, tok, 256)["labels"]
        words = bare_first = on_bare = 0
        for i in range(len(rows["tokens"])):
            pieces, wids = enc.tokens(i), enc.word_ids(i)
            firsts = [wids.index(w) for w in set(wids) - {None}]
            words += len(firsts)
            bare_first += sum(pieces[k] == BARE for k in firsts)
            only_bare = {w for w in set(wids) - {None} if all(pieces[k] == BARE for k, v in enumerate(wids) if v == w)}
            on_bare += sum(lab != IGNORE and p == BARE and w not in only_bare   # a word of '▁' alone keeps it
                           for p, lab, w in zip(pieces, labels[i], wids))
        assert bare_first / words > least, (task, bare_first, words)
        assert on_bare == 0, task
