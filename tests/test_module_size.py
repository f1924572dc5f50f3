"""No module of the two packages grows past 400 lines (issue 35, point 5): a module that does one job stays
readable in one sitting, and a split along its seams is due before that."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 400


def test_no_module_is_over_400_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for package in ("stilts", "advmine") for p in (ROOT / package).rglob("*.py")}
    assert len(sizes) > 50   # the packages were found
    assert {p: n for p, n in sizes.items() if n > LIMIT} == {}
