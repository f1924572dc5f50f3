"""`advmine build`: assemble the pipeline from a config, run it, write the dataset, optionally push it."""
from __future__ import annotations

from pathlib import Path

from advmine.config import BuildConfig
from advmine.pipeline import Pipeline, Step
from advmine.steps import STEPS
from advmine.steps.write import write_dataset
from stilts.core.errors import StiltsError


def build_steps(cfg: BuildConfig) -> list[Step]:
    """The steps this config runs, in registry order. A step that only makes an artefact for others (the embed
    step's vectors) runs when a later step uses it, right before the first that does."""
    steps: list[Step] = []
    for name in STEPS:
        cls = STEPS.get(name).load()
        if cls.artefact is not None or not cls.wanted(cfg):
            continue
        step = cls.of(cfg)
        for need in step.uses:
            if not any(s.name == need for s in steps):
                steps.append(STEPS.get(need).load().of(cfg))
        steps.append(step)
    return steps


def work_dir(cfg: BuildConfig) -> Path:
    out = Path(cfg.out)
    return out.parent / f".{out.name}.work"


def build(cfg: BuildConfig, log=print, overwrite: bool = False) -> dict:
    """Run the build; returns {"out", "fingerprint", "rows", "stats"}. Rerunning reuses finished steps. `--out`
    must be absent, empty or an earlier advmine output (its build.yaml) unless `overwrite`; one build at a time
    writes it (a second one meets a lock)."""
    from stilts.core.built_dataset import BUILD_CONFIG
    from stilts.core.outputs import check_replaceable, output_lock

    check_replaceable(cfg.out, "advmine build", (BUILD_CONFIG,), overwrite)
    with output_lock(cfg.out, "advmine build"):
        return _build(cfg, log)


def _build(cfg: BuildConfig, log) -> dict:
    from accelerate import PartialState

    data, stats = Pipeline(build_steps(cfg), work_dir(cfg), log=log).run()
    state = PartialState()
    result = {"out": cfg.out, "rows": {s: len(d) for s, d in data.items()}, "stats": stats}
    if state.is_main_process:
        result["fingerprint"] = write_dataset(data, cfg.out, cfg, stats)
        log(f"wrote {cfg.out}: {result['rows']} rows, fingerprint {result['fingerprint']}")
    state.wait_for_everyone()
    if cfg.push_to_hub and state.is_main_process:
        push(cfg.out, cfg.push_to_hub)
    return result


def push(out: str | Path, repo_id: str) -> None:
    """Upload the parquet files and the card. Offline this fails with one line; the local dataset stays."""
    from stilts.core.hub import require_hub

    try:
        require_hub(f"push_to_hub {repo_id}", f"nothing: the dataset is safely written at {out}; push later with "
                    f"`advmine push {out} {repo_id}`")
    except StiltsError as e:
        raise StiltsError(str(e).replace(" instead", "")) from None
    from huggingface_hub import HfApi

    from stilts.core.built_dataset import HUB_FILES

    api = HfApi()
    api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
    api.upload_folder(repo_id=repo_id, repo_type="dataset", folder_path=str(out),
                      allow_patterns=HUB_FILES)
