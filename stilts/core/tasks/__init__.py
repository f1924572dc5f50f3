"""Every task the research needs, as data, behind one loader: `load(task, split, lang, source=...)`."""
from stilts.core.tasks.loader import (KIT_DIR, KIT_LANGS, is_labelled, load, load_pool, require_labelled, split_files,
                                     stand_in_note)
from stilts.core.tasks.registry import get_task, list_tasks
from stilts.core.tasks.spec import TaskSpec

__all__ = ["KIT_DIR", "KIT_LANGS", "TaskSpec", "get_task", "is_labelled", "list_tasks", "load", "load_pool",
           "require_labelled", "split_files", "stand_in_note"]
