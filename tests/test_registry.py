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


# ---- one registry shape (stilts.core.registry) for translators, embedders, perturbations, selectors, metrics
# and formats ---------------------------------------------------------------------------------------------------

def test_generic_registry_lazy_factories_did_you_mean_and_typed_configs():
    import dataclasses
    import subprocess
    import sys

    from stilts.core.registry import Entry, Registry

    @dataclasses.dataclass(frozen=True)
    class Opts:
        k: int = 3
        mode: str = "a"

    reg = Registry("widget")
    reg.add(Entry("json-dump", "json:dumps", Opts, frozenset({"vectors"}), "a lazily named factory",
                  meta={"label_preserving": "why"}))
    reg.register("double", doc="twice")(lambda x: 2 * x)
    assert reg.names() == ["json-dump", "double"] and "double" in reg and len(reg) == 2
    assert reg.make("json-dump", [1]) == "[1]" and reg.make("double", 4) == 8
    assert reg.needing("vectors") == {"json-dump"} and reg.get("json-dump").meta["label_preserving"] == "why"
    with pytest.raises(UnknownNameError, match="unknown widget 'dubble'; did you mean: double"):
        reg.get("dubble")
    with pytest.raises(StiltsError, match="registered twice"):
        reg.add(Entry("double", "json:dumps"))
    assert reg.get("json-dump").config_from({"k": 5}) == Opts(k=5)
    with pytest.raises(StiltsError) as e:   # every bad key at once, one line
        reg.get("json-dump").config_from({"kk": 1, "mode": 2, "other": 0}, "widget json-dump")
    assert "kk: unknown key" in str(e.value) and "other: unknown key" in str(e.value)
    assert "mode: expected" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(StiltsError, match="takes no options"):
        reg.get("double").config_from({"k": 1})
    # declaring (and parsing against) the project's registries imports no heavy library: a fresh interpreter
    code = ("import sys, advmine.perturbations, advmine.selectors, advmine.translators, advmine.embedders, "
            "stilts.eval.metrics; advmine.perturbations.parse('wordnet'); "
            "print(sorted(m for m in ('torch', 'textattack', 'transformers', 'faiss') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_six_registries_share_the_shape():
    from advmine.embedders import EMBEDDERS, EmbedConfig
    from advmine.perturbations import PERTURBATIONS
    from advmine.selectors import SELECTORS
    from advmine.translators import TRANSLATORS
    from advmine.translators.config import TranslatorConfig
    from stilts.core.registry import Registry
    from stilts.eval.metrics import METRICS

    for reg in (TRANSLATORS, EMBEDDERS, PERTURBATIONS, SELECTORS, METRICS, FORMATS):
        assert isinstance(reg, Registry) and len(reg) >= 4
        for entry in reg.entries():
            assert entry.doc and "\n" not in entry.doc, (reg.what, entry.name)
            assert callable(entry.load()), (reg.what, entry.name)   # every "module:attr" resolves
    assert {e.config for e in TRANSLATORS.entries()} == {TranslatorConfig}
    assert {e.config for e in EMBEDDERS.entries()} == {EmbedConfig}
    assert all(e.meta["label_preserving"] for e in PERTURBATIONS.entries())
    assert SELECTORS.needing("vectors") == {"knn-disagreement", "aflite", "cartography", "cross-lingual-disagreement"}
    assert SELECTORS.needing("reference") == {"cartography", "cross-lingual-disagreement"}
    assert METRICS.get("squad_f1_em").meta["leaderboard"] == "(F1 + EM) / 2"
    assert FORMATS.get("conllu").meta["structured"] and not FORMATS.get("tsv").meta["structured"]
    for reg, what in [(TRANSLATORS, "translator"), (EMBEDDERS, "embedder"), (PERTURBATIONS, "perturbation"),
                      (SELECTORS, "selector"), (METRICS, "metric"), (FORMATS, "format")]:
        with pytest.raises(UnknownNameError, match=f"unknown {what} 'zzz'"):
            reg.get("zzz")


def test_select_config_stays_flat_and_each_selector_has_typed_options():
    """`select:` keeps its YAML shape (one flat mapping): its fields are the shared ones plus every selector's
    own options, and a BuildConfig's key is what it was before the registry change (but for the translator's
    two new fields)."""
    import dataclasses
    import hashlib
    import json

    from advmine.config import BuildConfig, TranslatorConfig
    from advmine.selectors import SELECTORS, SHARED, AfliteOptions, KnnOptions, SelectConfig, selector_options

    flat = {f.name for f in dataclasses.fields(SelectConfig)}
    own = [f.name for e in SELECTORS.entries() if e.config for f in dataclasses.fields(e.config)]
    assert len(own) == len(set(own)) and flat == set(SHARED) | set(own)
    for e in SELECTORS.entries():   # the flat defaults are each selector's defaults
        for f in dataclasses.fields(e.config) if e.config else []:
            assert getattr(SelectConfig(), f.name) == getattr(e.config(), f.name), (e.name, f.name)
    sel = SelectConfig(name="aflite", budget=0.2, rounds=8)
    assert selector_options(sel) == AfliteOptions(rounds=8)
    assert selector_options(SelectConfig(k=4)) == KnnOptions(k=4)
    assert selector_options(SelectConfig(name="random")) is None
    # keys for the same inputs; they changed (from 6cbb9b7eb2cc854f and 5fed2407ead85898) only because
    # TranslatorConfig gained backend and compute_type (issue 16) and SelectConfig the fields of issue 23
    # (stratify, diagnostics, folds and the two new selectors' options), then BuildConfig skip and quality and
    # TranslatorConfig's reference fields (issue 33): without those fields in to_dict() the hash is the old one,
    # which the last line checks
    assert BuildConfig(task="mnli", langs=["sw"], out="x").key() == "aa2dff7fdba2cb17"
    other = BuildConfig(task="mnli", langs=["sw", "ar"], out="x", select=sel,
                        translator=TranslatorConfig(lexicon_dirs=["lex"]))
    assert other.key() == "77c8eb678337e632"
    d = {k: v for k, v in other.to_dict().items() if k not in ("out", "cache_dir", "push_to_hub", "skip", "quality")}
    d["translator"] = {k: v for k, v in d["translator"].items()
                       if k not in ("backend", "compute_type", "reference", "reference_source", "reference_data_dir")}
    new = {"stratify", "diagnostics", "folds", "epochs", "region", "adequacy_floor"}
    d["select"] = {k: v for k, v in d["select"].items() if k not in new}
    assert hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16] == "5fed2407ead85898"


def test_perturbation_parameters_come_from_the_typed_config():
    from advmine.perturbations import CodeSwitchParams, PERTURBATIONS, defaults, parse

    assert defaults(PERTURBATIONS.get("codeswitch")) == {"ratio": 0.3, "side": "both", "n": 1, "langs": []}
    assert parse("wordnet").params["pct"] == 0.2 and parse("qwerty").params["pct"] == 0.1
    spec = parse("codeswitch:ratio=0.5,langs=sw+ar")
    assert spec.label() == "codeswitch:langs=sw+ar,n=1,ratio=0.5,side=both"
    assert CodeSwitchParams(**spec.params) == CodeSwitchParams(ratio=0.5, langs=["sw", "ar"])
    with pytest.raises(StiltsError, match=r"has no parameter 'pcnt' \(has: pct, side, n, langs\)"):
        parse("wordnet:pcnt=0.1")


def _lexicon(tmp_path: Path) -> Path:
    lex = tmp_path / "lexicons"
    lex.mkdir()
    (lex / "en-sw.tsv").write_text("english\tswahili\ngarden\tbustanitest\nbread\tmkatetest\n", encoding="utf-8")
    return lex


def test_codeswitch_reads_the_builds_lexicons(tmp_path):
    """Before, code-switching built `DictionaryTranslator(TranslatorConfig())` and called its private `_lookup`,
    so `translator.lexicon_dirs` (and `translator.freedict: false`) never reached it: a word listed only in
    the build's own lexicon kept the kit's translation (or stayed English). Now the perturb step passes the
    build's TranslatorConfig to the factory and code-switching uses the public `lookup`: the build's lexicon
    (searched first, as the dictionary translator does) changes the code-switched words."""
    from advmine.config import resolve
    from advmine.perturbations import make_perturbation, parse
    from advmine.steps.perturb import PerturbStep
    from advmine.translators.config import TranslatorConfig

    cfg = resolve(None, {"task": "mnli", "langs": ["sw"], "out": str(tmp_path / "out"), "source": "kit",
                         "perturb": ["codeswitch:ratio=1.0"], "translator.lexicon_dirs": [str(_lexicon(tmp_path))]})
    assert cfg.translator.lexicon_dirs == [str(tmp_path / "lexicons")]
    text = "The child is eating bread in the garden."
    spec = parse(cfg.perturb[0])
    with_build = make_perturbation(spec, cfg.langs, cfg.src_lang, cfg.translator).perturb(text, 0, 0)
    old_way = make_perturbation(spec, cfg.langs, cfg.src_lang, TranslatorConfig()).perturb(text, 0, 0)
    assert "bustanitest" in with_build and "mkatetest" in with_build
    assert "bustanitest" not in old_way and "mkatetest" not in old_way
    # the perturb step's marker key follows the lexicon settings, so a changed lexicon re-runs the step
    other = resolve(None, {"task": "mnli", "langs": ["sw"], "out": str(tmp_path / "out"), "source": "kit",
                           "perturb": ["codeswitch:ratio=1.0"]})
    assert PerturbStep.configure(cfg) != PerturbStep.configure(other)
