"""The one config checker (stilts.core.config_check): Literal choices, every problem in one line."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from stilts.core.config_check import check_choices, from_mapping
from stilts.core.errors import StiltsError


@dataclass(frozen=True)
class Inner:
    mode: Literal["flag", "drop"] = "flag"


@dataclass(frozen=True)
class Outer:
    name: str
    lr: float = 1e-5
    source: Literal["hub", "data-dir", "kit"] = "hub"
    maybe: Literal["a", "b"] | None = None
    inner: Inner = field(default_factory=Inner)
    parts: dict[str, Inner] = field(default_factory=dict)


def test_literal_fields_take_their_choices_and_defaults():
    cfg = from_mapping(Outer, {"name": "x", "source": "kit", "lr": "1e-4", "inner": {"mode": "drop"},
                               "parts": {"p": {}}}, "cfg")
    assert cfg.source == "kit" and cfg.lr == 1e-4 and cfg.inner.mode == "drop" and cfg.parts == {"p": Inner()}
    assert from_mapping(Outer, {"name": "x", "maybe": None}, "cfg").maybe is None


def test_every_problem_is_reported_at_once_in_one_line():
    with pytest.raises(StiltsError) as e:
        from_mapping(Outer, {"source": "hubb", "bogus": 1, "lr": "fast", "maybe": "c",
                             "inner": {"mode": "flg"}, "parts": {"p": {"mode": "x"}}}, "cfg")
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("invalid cfg: ")
    for part in ("cfg.bogus: unknown key", "cfg.name: missing", "cfg.lr: expected <class 'float'>, got str",
                 "cfg.source: 'hubb' is not one of hub, data-dir, kit (did you mean hub?)",
                 "cfg.maybe: 'c' is not one of a, b",
                 "cfg.inner.mode: 'flg' is not one of flag, drop (did you mean flag?)",
                 "cfg.parts.p.mode: 'x' is not one of flag, drop"):
        assert part in msg, (part, msg)


def test_configs_built_in_python_check_their_choices():
    from stilts.eval.retrieval import RetrievalConfig

    with pytest.raises(StiltsError, match=r"pooling: 'cl' is not one of mean, cls \(did you mean cls\?\)"):
        RetrievalConfig(pooling="cl")
    check_choices(Inner(), "inner")   # a valid one passes


def test_build_and_experiment_configs_report_bad_choices_together(tmp_path):
    from advmine.config import resolve as build_resolve
    from stilts.train.config import resolve as train_resolve

    with pytest.raises(StiltsError) as e:
        build_resolve(None, {"task": "mnli", "langs": "sw", "out": str(tmp_path), "langid": "flg",
                             "contamination_mode": "dorp", "source": "kitt"})
    msg = str(e.value)
    assert all(p in msg for p in ("langid: 'flg' is not one of flag, drop, off",
                                  "contamination_mode: 'dorp' is not one of flag, drop (did you mean drop?)",
                                  "source: 'kitt' is not one of hub, data-dir, kit (did you mean kit?)"))
    with pytest.raises(StiltsError, match="sampling: 'temprature' is not one of proportional, temperature"):
        train_resolve(None, {"out": str(tmp_path), "target": "xnli", "source": "kit", "sampling": "temprature"})
    with pytest.raises(StiltsError, match=r"select.index: 'hnws' is not one of auto, flat, pq-refine, ivf, hnsw, nndescent "
                                          r"\(did you mean hnsw\?\)"):
        build_resolve(None, {"task": "mnli", "langs": "sw", "out": str(tmp_path), "source": "kit",
                             "select": {"name": "random", "index": "hnws"}})
    with pytest.raises(StiltsError, match="train.mixed_precision: 'fp32' is not one of auto, no, fp16, bf16"):
        train_resolve(None, {"out": str(tmp_path), "target": "xnli", "source": "kit",
                             "train": {"mixed_precision": "fp32"}})


def test_task_specs_still_use_the_checker():
    from stilts.core.tasks import list_tasks
    from stilts.core.tasks.spec import from_mapping as old_home

    assert old_home is from_mapping and list_tasks()
