"""What `stilts show` does: load one split of a task (or any dataset by column mapping) and summarise it."""
from __future__ import annotations

import json
from stilts.core.errors import StiltsError
from stilts.core.sources import source_kwargs


def show_split(task: str | None, split: str, lang: str | None, *, kit: bool = False, data_dir: str | None = None,
               layout: str | None = None, variant: str | None = None, data_files: list[str] | None = None,
               hub_id: str | None = None, columns: str | None = None, labels: str | None = None, rows: int = 3,
               require_labels: bool = False) -> list[str]:
    """A summary line (rows, labelled, fingerprint), then the first `rows` rows as JSON (400 characters each)."""
    from stilts.core.tasks import get_task, is_labelled, load, require_labelled
    from stilts.core.tasks.custom import load_custom

    if data_files or hub_id:
        if not columns:
            raise StiltsError("--data-files/--hub-id need --columns FIELD=COLUMN,...")
        ds = load_custom(columns, labels, data_files=data_files or None, hub_id=hub_id, split=split,
                         lang=lang or "en")
        name, kind = "custom", ds.features
    elif task:
        spec = get_task(task)
        ds = load(spec, split, lang, layout=layout, variant=variant, **source_kwargs(kit, data_dir))
        name, kind = spec.name, spec.kind
        if require_labels:
            require_labelled(ds, spec, split, lang or spec.train_language)
    else:
        raise StiltsError("name a task (see `stilts tasks`) or pass --data-files/--hub-id with --columns")
    labelled = is_labelled(ds, kind) if isinstance(kind, str) else "?"
    head = f"{name} {split} {lang or ''}: {len(ds)} rows, labelled={labelled}, fingerprint={ds._fingerprint}"
    return [head, *(json.dumps(row, ensure_ascii=False)[:400] for row in ds.select(range(min(rows, len(ds)))))]
