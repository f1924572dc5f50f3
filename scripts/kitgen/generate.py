"""Generate the embedded NLI kit (stilts/core/tasks/kit/data/): synthetic MNLI- and XNLI-format files plus
bilingual lexicons.

    python scripts/kitgen/generate.py [--out DIR]

Lives outside the runtime package: the package ships the data, not the means to rebuild it. Every sentence
comes from the templates here and the handwritten vocabularies in vocabulary.json and languages/*.json
(written for this project); nothing is copied from any published dataset. Each example is built once as a
language-neutral frame (frames.py) and rendered by every language's grammar rule (grammars.py), so row i
of every `xnli/test-{lang}.tsv` is the same example. The output is byte-for-byte deterministic (fixed
seeds, no set iteration) and takes about a second. Standard library only.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the kitgen package importable from its parent folder
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kitgen.files import (DATA_DIR, MNLI_SPLITS, XNLI_SPLITS, summarize, write_mnli, write_readme,  # noqa: E402
                          write_xnli)
from kitgen.frames import flatten, make_groups  # noqa: E402
from kitgen.languages import LANGUAGES, TARGETS  # noqa: E402
from kitgen.lexicon import build_lexicon, check_lexicon_coverage, write_lexicon  # noqa: E402
from kitgen.vocabulary import VOCAB  # noqa: E402

SEED = 20_261_125
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")

__all__ = ["main", "check_lexicon_coverage", "DATA_DIR"]


def readme_counts() -> dict[str, object]:
    """The figures the kit README quotes, computed from the vocabulary and the split sizes."""
    n_scripts = len({lang.script for lang in LANGUAGES.values()})
    return dict(
        n_nouns=len(VOCAB.persons) + len(VOCAB.objects) - 1,  # "something" is not counted
        n_verbs=len(VOCAB.verbs), n_adjs=len(VOCAB.subject_adjectives) + len(VOCAB.object_adjectives),
        n_places=len(VOCAB.places), n_times=len(VOCAB.times), n_manners=len(VOCAB.manners),
        mnli_train=3 * MNLI_SPLITS["train"][0], mnli_dev=3 * MNLI_SPLITS["dev_matched"][0],
        xnli_test=3 * XNLI_SPLITS["test"][0], xnli_dev=3 * XNLI_SPLITS["dev"][0],
        lexicon=len(build_lexicon(TARGETS[0])), langs=", ".join(LANGUAGES),
        n_scripts=NUMBER_WORDS[n_scripts] if n_scripts < len(NUMBER_WORDS) else n_scripts)


def generate(out: Path) -> None:
    """Write every kit file under `out`; XNLI premises never repeat a sentence of the MNLI files."""
    seen: set[str] = set()
    for split, (n, offset, first_id) in MNLI_SPLITS.items():
        rng = random.Random(SEED + offset)
        write_mnli(out / "mnli" / f"{split}.tsv", flatten(rng, make_groups(rng, n, first_id, seen)))
    for split, (n, offset, first_id) in XNLI_SPLITS.items():
        rng = random.Random(SEED + offset)
        rows = flatten(rng, make_groups(rng, n, first_id, seen))
        for code in LANGUAGES:
            write_xnli(out / "xnli" / f"{split}-{code}.tsv", code, rows)
    for code in TARGETS:
        write_lexicon(out / "lexicon" / f"en-{code}.tsv", code)
    write_readme(out / "README.md", **readme_counts())


def main(argv: list[str] | None = None) -> None:
    """`--out DIR` writes elsewhere (the tests regenerate into a temp dir and compare bytes)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[args.index("--out") + 1]) if "--out" in args else DATA_DIR
    generate(out)
    check_lexicon_coverage(out)
    summarize(out)


if __name__ == "__main__":
    sys.exit(main())
