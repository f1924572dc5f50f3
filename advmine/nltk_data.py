"""A project-managed NLTK data directory (`<venv>/nltk_data`), built offline, because TextAttack needs NLTK's
stopwords at import and WordNet for synonym swaps, and `nltk.download` cannot reach the network here.

WordNet 3.0 comes from Debian's wordnet-base + wordnet-sense-index (`/usr/share/wordnet`) plus the 45-line
`lexnames` file that Debian omits (written below); stopword lists from `stopwordsiso`. NLTK wants the files
owned by the user and not group/world-writable, so they are written 0644. `make setup` runs this module.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

WORDNET_SRC = Path("/usr/share/wordnet")
WORDNET_FILES = ["adj.exc", "adv.exc", "noun.exc", "verb.exc", "cntlist.rev", "data.adj", "data.adv", "data.noun",
                 "data.verb", "index.adj", "index.adv", "index.noun", "index.verb", "index.sense"]
LEXNAMES = ["adj.all 3", "adj.pert 3", "adv.all 4", *[f"noun.{x} 1" for x in (
    "Tops act animal artifact attribute body cognition communication event feeling food group location motive "
    "object person phenomenon plant possession process quantity relation shape state substance time").split()],
    *[f"verb.{x} 2" for x in ("body change cognition communication competition consumption contact creation "
                             "emotion motion perception possession social stative weather").split()], "adj.ppl 3"]
STOPWORD_LANGS = {"english": "en", "arabic": "ar", "swahili": "sw", "russian": "ru", "hindi": "hi", "turkish": "tr",
                  "german": "de", "french": "fr", "spanish": "es"}


def nltk_data_dir() -> Path:
    return Path(sys.prefix) / "nltk_data"


def has_wordnet(root: Path | None = None) -> bool:
    return ((root or nltk_data_dir()) / "corpora" / "wordnet" / "lexnames").is_file()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)


def ensure(root: Path | None = None) -> list[str]:
    """Build what is missing; returns notes about what could not be provided."""
    root = root or nltk_data_dir()
    notes = []
    stop_dir = root / "corpora" / "stopwords"
    if not (stop_dir / "english").is_file():
        import stopwordsiso

        for name, code in STOPWORD_LANGS.items():
            _write(stop_dir / name, "\n".join(sorted(stopwordsiso.stopwords(code))) + "\n")
    wn = root / "corpora" / "wordnet"
    if not has_wordnet(root):
        if all((WORDNET_SRC / f).is_file() for f in WORDNET_FILES):
            wn.mkdir(parents=True, exist_ok=True)
            for f in WORDNET_FILES:
                shutil.copyfile(WORDNET_SRC / f, wn / f)
                (wn / f).chmod(0o644)
            _write(wn / "lexnames", "".join(f"{i:02d}\t{name.split()[0]}\t{name.split()[1]}\n"
                                            for i, name in enumerate(LEXNAMES)))
        else:
            notes.append("WordNet not found in /usr/share/wordnet (apt-get install wordnet-base wordnet-sense-index)")
    return notes


if __name__ == "__main__":
    for note in ensure():
        print(f"note: {note}")
