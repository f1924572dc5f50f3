"""One build config: every option of `advmine build`, from a YAML file and/or CLI overrides, strictly checked."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal


from advmine.embedders import EmbedConfig
from advmine.quality import QualityConfig
from advmine.selectors import SelectConfig
from advmine.translators.config import TranslatorConfig  # also re-exported: BuildConfig.translator's type
from stilts.core.errors import StiltsError, unknown
from stilts.core.overrides import merged_config
from stilts.core.config_check import from_mapping


@dataclass(frozen=True)
class BuildConfig:
    task: str
    langs: list[str]
    out: str
    source: Literal["hub", "data-dir", "kit"] = "hub"
    data_dir: str | None = None
    data_files: list[str] = field(default_factory=list)  # the user's own files for the task's split (any format
    columns: str | None = None             # `stilts show` reads): FIELD=COLUMN,... into the task kind's schema
    labels: list[str] | None = None        # label names in class order (default: the task's own)
    splits: list[str] = field(default_factory=lambda: ["train"])
    layout: str | None = None
    variant: str | None = None
    skip: int = 0                          # source rows skipped before `limit` (XNLI dev rows 800-: skip 800)
    limit: int | None = None               # first N source rows of each split (a documented slice)
    src_lang: str = "en"
    include_source: bool = False           # also keep the English rows (lang = src_lang)
    translator: TranslatorConfig = field(default_factory=TranslatorConfig)
    langid: Literal["flag", "drop", "off"] = "flag"
    quality: QualityConfig = field(default_factory=QualityConfig)   # chrF++/BLEU vs human references (advmine.quality)
    perturb: list[str] = field(default_factory=list)   # NAME[:k=v,...], see advmine.perturbations
    keep_original: bool = True             # perturbed rows are added beside the originals
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    select: SelectConfig | None = None     # hard-example selection (advmine.selectors)
    contamination: str = "auto"            # auto (on with --select) | all | off | task,task,...
    contamination_mode: Literal["flag", "drop"] = "flag"
    contamination_threshold: float = 0.95  # cosine similarity to an evaluation example
    seed: int = 0
    num_shards: int = 1
    shard_index: int = 0
    cache_dir: str | None = None           # translation cache (default: ~/.cache/advmine)
    push_to_hub: str | None = None

    def key(self) -> str:
        """What the output depends on (not where it goes, nor the hub repo), for step markers and the card."""
        d = dataclasses.asdict(self)
        for k in ("out", "cache_dir", "push_to_hub"):
            d.pop(k)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def resolve(config_file: str | None, overrides: dict[str, Any]) -> BuildConfig:
    """YAML file, then CLI overrides (dotted keys for nested fields: translator.model_id=...), then checks."""
    data = merged_config(config_file, overrides)
    if isinstance(data.get("langs"), str):
        data["langs"] = [x.strip() for x in data["langs"].split(",") if x.strip()]
    if isinstance(data.get("perturb"), str):
        data["perturb"] = [data["perturb"]]
    if isinstance(data.get("data_files"), str):
        data["data_files"] = [data["data_files"]]
    if isinstance(data.get("labels"), str):
        data["labels"] = [x.strip() for x in data["labels"].split(",") if x.strip()]
    if isinstance(data.get("splits"), str):
        data["splits"] = [x.strip() for x in data["splits"].split(",") if x.strip()]
    cfg = from_mapping(BuildConfig, data, "build config")
    if cfg.translator.reference_source is None:   # the reference translator reads the build's own data source
        cfg = dataclasses.replace(cfg, translator=dataclasses.replace(
            cfg.translator, reference_source=cfg.source, reference_data_dir=cfg.translator.reference_data_dir
            or cfg.data_dir))
    _validate(cfg)
    return cfg


def known_languages() -> set[str]:
    """Every code the project knows (the benchmark languages' table and the MT models' code table): a typo in
    --langs fails before any work instead of after loading, translating and embedding."""
    from advmine.translators.apertium import PAIRS
    from advmine.translators.seq2seq import CODES
    from stilts.core.tasks import list_tasks

    return ({lang for spec in list_tasks() for lang in spec.all_languages}
            | {code for table in CODES.values() for code in table} | set(PAIRS) | {"en"})


def _validate(cfg: BuildConfig) -> None:
    from stilts.core.tasks import get_task

    spec = get_task(cfg.task)
    if not cfg.langs:
        raise StiltsError("--langs: name at least one target language (e.g. sw,th,ar)")
    if not 0 <= cfg.shard_index < cfg.num_shards:
        raise StiltsError(f"--shard-index {cfg.shard_index} must be in 0..{cfg.num_shards - 1}")
    for split in cfg.splits:
        if split not in spec.splits:
            raise StiltsError(f"--splits: {spec.name} has no split {split!r} (has: {', '.join(spec.splits)})")
    if cfg.perturb:
        from advmine.perturbations import parse
        for p in cfg.perturb:
            parse(p)
    known = known_languages()
    for lang in cfg.langs:
        if lang not in known:
            raise unknown("language in --langs", lang, sorted(known))
    from advmine.translators import check_backend_options, make_translator

    check_backend_options(cfg.translator)
    check = getattr(make_translator(cfg.translator), "check", None)   # the neural translators' coverage
    for lang in cfg.langs if check else []:
        check(lang)
    if cfg.data_files:
        if not cfg.columns:
            raise StiltsError("--data-files needs --columns FIELD=COLUMN,... (as `stilts show` does)")
        if len(cfg.splits) != 1:
            raise StiltsError("--data-files holds one split: pass --splits train (or the one split the files are)")
        from stilts.core.tasks.custom import custom_spec, parse_columns

        custom_spec(parse_columns(cfg.columns), cfg.labels or spec.labels, data_files=cfg.data_files,
                    split=cfg.splits[0], lang=cfg.src_lang, kind=spec.kind)   # files exist, format known
    from advmine.parallel import parse_names
    from advmine.quality import check_floor

    parse_names(cfg.quality.references)
    parse_names(cfg.translator.reference)
    check_floor(cfg.quality.floor)
    if cfg.skip < 0:
        raise StiltsError(f"--skip {cfg.skip}: a row count >= 0")
    if cfg.seed < 0:
        raise StiltsError(f"--seed {cfg.seed}: use a seed >= 0")
    if cfg.select:
        from advmine.selectors import budget_count, get_selector
        get_selector(cfg.select.name)
        budget_count(cfg.select.budget, 1)
