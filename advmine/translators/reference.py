"""The oracle translator: each English text's professional translation from a parallel benchmark (XNLI, PAWS-X,
Tatoeba; advmine.parallel), matched on the English text after whitespace normalisation. It is the ceiling any MT
can reach on those texts. A text without a reference gets None, and the translate step drops its row (counted as
`no_reference`, never silently). Its rows are evaluation rows of the benchmark, so it says which ones it used
(`used`): the build records them, and a grid that would evaluate on them is refused (stilts.compare.eval_overlap)."""
from __future__ import annotations

from pathlib import Path

from advmine.parallel import parse_names, reference_files, references, used_rows
from advmine.translators.config import TranslatorConfig


class ReferenceTranslator:
    name = "reference"
    word_level = False           # a human translation keeps no token alignment: tagging tasks refuse it
    missing_reason = "no_reference"

    def __init__(self, cfg: TranslatorConfig):
        self.cfg = cfg
        self.reference_names = tuple(parse_names(cfg.reference))

    def _refs(self, tgt: str):
        return references(tgt, self.reference_names, self.cfg.reference_source or "hub", self.cfg.reference_data_dir)

    def model_id(self, tgt: str) -> str:
        return "reference:" + "+".join(self.reference_names)

    def inputs(self, tgt: str) -> list[Path]:
        """The benchmark files read (English and `tgt`): the translate step's key follows their content."""
        return reference_files(tgt, self.reference_names, self.cfg.reference_source or "hub",
                               self.cfg.reference_data_dir)

    def translate(self, texts: list[str], tgt: str, src: str = "en") -> list[str | None]:
        refs = self._refs(tgt)
        return [(r.text if (r := refs.get(t)) else None) for t in texts]

    def used(self, texts: list[str], tgt: str) -> dict[str, dict[str, list[list[int]]]]:
        """The benchmark rows whose human translations `texts` received (advmine.parallel.used_rows)."""
        return used_rows(self._refs(tgt), texts)

    def coverage(self, texts: list[str], tgt: str) -> dict[str, int] | None:
        return None
