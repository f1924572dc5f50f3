"""Tasks that ../shared/data lacks are loaded from small fixtures in their published formats (tests/fixtures)."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from stilts.core.tasks import get_task, is_labelled, load, load_pool

DATA = FIXTURES / "data"


def test_ccgbank_auto_supertags_with_jiant_sections():
    train = load("ccg", "train", data_dir=DATA)
    assert train["tokens"] == [["Anna", "reads", "books"], ["The", "cat", "sleeps"]]
    assert train["tags"][0] == ["N", "(S[dcl]\\NP)/NP", "N"]
    assert load("ccg", "dev", data_dir=DATA)["tokens"] == [["Omar", "runs"]]      # section 19
    assert load("ccg", "test", data_dir=DATA)["tokens"] == [["Birds", "sing"]]    # section 23


def test_ccg_has_no_hub_copy_and_says_so():
    with pytest.raises(Exception) as e:
        load("ccg", "train")
    assert "no public hub copy" in str(e.value) and "LDC" in str(e.value) and "--data-dir" in str(e.value)


@pytest.mark.parametrize("task", ["squad", "squad_v2"])
def test_squad_json(task):
    ds = load(task, "dev", data_dir=DATA)
    first = ds[0]
    assert first["answers"]["text"] == ["the Indian Ocean"]
    assert first["context"][first["answers"]["answer_start"][0]:].startswith("the Indian Ocean")
    if task == "squad_v2":
        assert len(ds) == 3 and ds[2]["answers"] == {"text": [], "answer_start": []}
    else:
        assert len(ds) == 2
    assert is_labelled(ds, "span_qa")


def test_xquad_and_mlqa_train_on_squad():
    assert len(load("xquad", "train", data_dir=DATA)) == 2  # train_from: squad (v1.1)


def test_mewslix_mentions_filtered_by_language_and_entity_pool():
    de = load("mewslix", "test", "de", data_dir=DATA)
    assert de["id"] == ["m1", "m2"] and de["target_ids"] == [["Q64"], ["Q1684"]]
    assert de[0]["query"].startswith("Berlin: ") and "{ Berlin }" in de[0]["query"]
    assert "{ Spree }" in de[1]["query"] and "Hauptstadt" not in de[1]["query"]  # one sentence of context
    assert load("mewslix", "test", "tr", data_dir=DATA)["target_ids"] == [["Q3640"]]
    pool = load_pool("mewslix", "test", "de", data_dir=DATA)
    assert set(pool["id"]) == {"Q64", "Q1684"} and set(pool["lang"]) == {"en", "de"}


def test_every_registry_task_has_a_test_source(shared_data):
    """Each task is loaded somewhere in the suite: from ../shared/data (test_shared_data) or a fixture here."""
    from test_shared_data import expected_loads

    covered = {k[0] for k in expected_loads(shared_data)} | {"ccg", "squad", "squad_v2", "mewslix", "anli_plus"}
    assert covered >= {t.name for t in __import__("stilts.core.tasks", fromlist=["list_tasks"]).list_tasks()}
    assert get_task("anli_plus").parts == ["anli", "mnli", "snli"]


def test_anli_plus_concatenates_its_parts(shared_data):
    ds = load("anli_plus", "dev", data_dir=shared_data)
    prefixes = {i.split("/")[0] for i in ds["id"]}
    assert prefixes == {"anli", "mnli", "snli"} and len(set(ds["id"])) == len(ds)
