"""Training rows that are evaluation rows. An advmine dataset may be built from a benchmark's own rows: its English
source from XNLI's dev split (`--splits dev --skip 800`), or its translations from XNLI's human translations (the
`reference` translator). Its stats record which rows it read (the load step's `rows`, the translate step's
`used_rows`: whole examples only). Before any cell trains, those rows are compared with the rows each target
evaluates (its evaluation split after `skip`, up to `limit`, in every evaluated language) and with the English
dev rows that select its model; a cell whose intermediate data holds one of them is refused in one line."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stilts.core.built_dataset import BuiltDataset
from stilts.core.errors import StiltsError


@dataclass(frozen=True)
class Rows:
    task: str
    split: str
    lang: str
    first: int
    last: int           # inclusive
    what: str

    def overlap(self, other: Rows) -> tuple[int, int] | None:
        if (self.task, self.split, self.lang) != (other.task, other.split, other.lang):
            return None
        lo, hi = max(self.first, other.first), min(self.last, other.last)
        return (lo, hi) if lo <= hi else None


def trained_rows(dataset: str | Path) -> list[Rows]:
    """The benchmark rows an advmine dataset trains on, from its stats (older builds record none)."""
    from advmine.parallel import SOURCES

    built = BuiltDataset.find(dataset)
    if built is None:
        return []
    stats, cfg = built.stats(), built.build_config()
    out = []
    for step in stats.get("steps", []):
        info = step.get("info") or {}
        if step["name"] == "load":
            for split, (a, b) in (info.get("rows") or {}).items():
                out.append(Rows(built.task, split, cfg.get("src_lang", "en"), a, b,
                                f"{Path(str(dataset)).name}'s English source"))
        if step["name"] == "translate":
            for per in info.values():
                for lang, d in (per or {}).items():
                    for key, used in (d.get("used_rows") or {}).items() if isinstance(d, dict) else ():
                        bench, split = key.split("/")
                        out += [Rows(SOURCES[bench].task, split, lang, a, b,
                                     f"{Path(str(dataset)).name}'s human translations") for a, b in used["whole"]]
    return out


def evaluated_rows(task: str, split: str, langs: list[str], skip: int, limit: int | None, n_rows: int,
                   dev_limit: int | None, dev_rows: int) -> list[Rows]:
    """The rows a target scores (`split` rows skip..skip+limit-1 in each language) and selects its model on (English
    dev rows 0..dev_limit-1)."""
    last = min(skip + limit, n_rows) - 1 if limit else n_rows - 1
    out = [Rows(task, split, lang, skip, last, "evaluation") for lang in langs]
    if dev_rows:
        out.append(Rows(task, "dev", "en", 0, min(dev_limit or dev_rows, dev_rows) - 1, "model selection"))
    return out


def check(cell: str, trained: list[Rows], evaluated: list[Rows]) -> None:
    for t in trained:
        for e in evaluated:
            hit = t.overlap(e)
            if hit:
                raise StiltsError(
                    f"{cell}: {t.what} holds {t.task} {t.split} rows {t.first}-{t.last} ({t.lang}), and the "
                    f"{e.what} reads rows {e.first}-{e.last} of them: rows {hit[0]}-{hit[1]} would be trained on and "
                    f"scored; build from rows past {e.last} (--skip {e.last + 1}) or move the evaluation (eval.skip)")


def check_grid(grid, cells: list) -> None:
    """Refuse the first cell whose intermediate datasets train on rows its target evaluates or selects on."""
    from stilts.compare.grid import dataset_dir, experiment_config, refs_of
    from stilts.core.tasks import get_task, load
    from stilts.eval.zero_shot import evaluation_split

    trained = {name: trained_rows(dataset_dir(grid, name)) for name in grid.datasets}
    evaluated: dict[str, list[Rows]] = {}
    for cell in cells:
        rows = [r for name in refs_of(grid.condition(cell.condition)) for r in trained.get(name, [])]
        if not rows:
            continue
        if cell.target not in evaluated:
            spec, e = get_task(cell.target), grid.eval.for_task(cell.target)
            kw = {"source": grid.source, "data_dir": grid.data_dir}
            split, n = evaluation_split(spec, e.split or spec.eval_split, "en", kw)
            langs = [lang for lang in (e.langs or spec.languages) if lang in spec.all_languages]
            dev = len(load(spec, "dev", "en", **kw)) if "dev" in spec.splits else 0
            evaluated[cell.target] = evaluated_rows(spec.name, split, langs, e.skip, e.limit, n,
                                                    experiment_config(grid, cell).dev_limit, dev)
        check(cell.name, rows, evaluated[cell.target])
