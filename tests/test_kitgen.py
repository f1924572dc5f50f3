"""The kit generator (scripts/kitgen): it lives outside the runtime package, rebuilds the committed kit byte
for byte from its data files, and names what a language file lacks."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stilts.core.tasks import KIT_DIR

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from kitgen import generate, languages  # noqa: E402


def test_generator_reproduces_the_kit(tmp_path: Path):
    """The documented command, run as a file, rewrites every committed file exactly (no file missing or extra)."""
    subprocess.run([sys.executable, str(SCRIPTS / "kitgen" / "generate.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    ours = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    shipped = sorted(p.relative_to(KIT_DIR) for p in KIT_DIR.rglob("*") if p.is_file())
    assert ours == shipped
    for rel in ours:
        assert (tmp_path / rel).read_bytes() == (KIT_DIR / rel).read_bytes(), rel


def test_kit_lexicon_covers_every_english_word():
    generate.check_lexicon_coverage(KIT_DIR)  # raises SystemExit naming the missing words otherwise
    assert {p.name for p in (KIT_DIR / "lexicon").iterdir()} == {f"en-{x}.tsv" for x in languages.TARGETS}


def test_generator_is_not_in_the_runtime_package():
    assert not (KIT_DIR.parent / "generate.py").exists()
    assert generate.DATA_DIR == KIT_DIR.resolve()


def test_every_language_is_one_data_file_in_kit_order():
    assert list(languages.LANGUAGES) == ["en", "sw", "th", "ar", "ru", "zh", "hi"]
    assert {p.stem for p in languages.LANGUAGES_DIR.glob("*.json")} == set(languages.LANGUAGES)


def _copy_languages(tmp_path: Path) -> Path:
    folder = tmp_path / "languages"
    shutil.copytree(languages.LANGUAGES_DIR, folder)
    return folder


def test_a_language_file_missing_a_word_is_named(tmp_path: Path):
    path = _copy_languages(tmp_path) / "sw.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["objects"]["bicycle"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"sw\.json: objects has no entry for \['bicycle'\]"):
        languages.load_language(path)


def test_two_languages_cannot_share_a_place_in_the_order(tmp_path: Path):
    folder = _copy_languages(tmp_path)
    shutil.copy(folder / "sw.json", folder / "xx.json")
    with pytest.raises(SystemExit, match="share an order"):
        languages.load_languages(folder)
