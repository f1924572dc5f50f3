"""The registry is data: every spec parses, names resolve with 'did you mean', and coverage is complete."""
from __future__ import annotations

from pathlib import Path

import pytest

from stilts.core.errors import StiltsError, UnknownNameError
from stilts.core.tasks import get_task, list_tasks
from stilts.core.tasks.formats import FORMATS
from stilts.core.tasks.spec import load_spec

PHANG_INTERMEDIATE = {"anli_plus", "mnli", "qqp", "squad_v2", "sst2", "hellaswag", "commonsenseqa", "cosmosqa", "ccg"}
XTREME_R = {"xnli", "xcopa", "udpos", "panx", "xquad", "mlqa", "tydiqa", "mewslix", "lareqa", "tatoeba"}
LANG_COUNTS = {"xnli": 15, "xcopa": 11, "udpos": 38, "panx": 48, "xquad": 12, "mlqa": 7, "tydiqa": 9,
               "tatoeba": 41, "mewslix": 11, "lareqa": 11, "pawsx": 7, "bucc": 4}


def test_coverage_of_the_research_tasks():
    names = {t.name for t in list_tasks()}
    assert PHANG_INTERMEDIATE <= names
    assert XTREME_R | {"pawsx", "bucc"} <= names
    assert {t.name for t in list_tasks() if t.role == "intermediate" and t.benchmark == "phang2020"} >= PHANG_INTERMEDIATE


@pytest.mark.parametrize("task,count", sorted(LANG_COUNTS.items()))
def test_full_language_lists(task, count):
    spec = get_task(task)
    assert len(spec.languages) == count == len(set(spec.languages))


def test_every_spec_is_consistent():
    for spec in list_tasks():
        assert spec.description and spec.metric
        for lay in spec.layouts:
            assert lay.format in FORMATS, (spec.name, lay.format)
            assert set(lay.files) <= set(spec.splits), (spec.name, lay.name)
        if spec.hub:
            assert set(spec.hub.splits) <= set(spec.splits), spec.name
            assert "/" in spec.hub.path
        else:
            assert spec.parts or spec.no_hub_reason, spec.name
        for stage in spec.stages + spec.parts + ([spec.train_from] if spec.train_from else []):
            get_task(stage)


def test_protocol_facts_in_specs():
    assert get_task("xcopa").stages == ["siqa", "copa"]
    assert get_task("xnli").train_from == "mnli" and get_task("xnli").epochs == 2
    assert get_task("udpos").epochs == 10 and get_task("panx").epochs == 10 and get_task("pawsx").epochs == 5
    assert get_task("xquad").max_length == 384 and get_task("xnli").max_length == 256
    assert get_task("ccg").hub is None and "LDC" in get_task("ccg").no_hub_reason
    assert get_task("tydiqa").eval_split == "test" and "ro" in get_task("xquad").languages


def test_aliases_resolve():
    assert get_task("anli+").name == "anli_plus"
    assert get_task("WikiANN").name == "panx"


def test_unknown_task_suggests():
    with pytest.raises(UnknownNameError) as e:
        get_task("xnlii")
    msg = str(e.value)
    assert "did you mean" in msg and "xnli" in msg and "\n" not in msg


def test_bad_spec_reports_every_problem_in_one_line(tmp_path: Path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\nkind: pair_classification\ndescriptio: typo\nrole: target\n"
                   "benchmark: x\nmetric: accuracy\nlanguages: [en]\nsplits: [train]\nlabels: 3\n")
    with pytest.raises(StiltsError) as e:
        load_spec(bad)
    msg = str(e.value)
    assert "broken.descriptio: unknown key" in msg and "broken.description: missing" in msg
    assert "broken.labels: expected" in msg and "\n" not in msg
