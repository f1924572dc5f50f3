"""Debian's Apertium rule-based MT, offline: its GPL data is read where apt installed it, never vendored.

Why this framing. Apertium's txt and line formats treat a newline as an ordinary blank, so its transfer rules move
words across lines ("the red\\ncar" comes back "el coche\\nrojo") and a batch of lines cannot be trusted to come
back aligned. Null-flush mode (`-z`) makes every stage of the pipeline finish, flush and reset at each NUL, so one
process translates a NUL-separated batch segment by segment. Segments go in as Apertium's own stream (`-f none`,
no deformatter inserting periods or merging lines), with each reserved character swapped for a private-use
placeholder (backslash escapes trip lrx-proc on a trailing `\\^`, and post-generation eats a bare `~`), a trailing
space (lt-proc drops a final '.' just before a NUL) and a `[i]` superblank in front: superblanks pass through every
stage untouched, so the output proves its own alignment, and any shift is refused instead of returned."""
from __future__ import annotations

import functools
import hashlib
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from advmine.cache import file_digest
from advmine.translators.config import TranslatorConfig
from stilts.core.errors import StiltsError, one_line

BINARY = "apertium"                       # looked up on PATH at call time (tests point it elsewhere)
DATA_DIR = Path("/usr/share/apertium")    # Debian's data root; modes/ holds one .mode file per direction
# ISO 639-1 code -> (English->X mode, X->English mode); each pair's Debian package is apertium-<English->X mode>.
PAIRS = {"es": ("eng-spa", "spa-eng"), "ca": ("eng-cat", "cat-eng"), "gl": ("en-gl", "gl-en")}
TIMEOUT_S = 120                           # per call, plus a second per 2 kB of input
RESERVED = "\\^$@/<>{}[]*#+~|"            # characters with a meaning in Apertium's stream format
_HIDE = {c: chr(0xF0000 + i) for i, c in enumerate(RESERVED)}   # Supplementary Private Use Area-A
_IN = str.maketrans({**{p: "\ufffd" for p in _HIDE.values()}, **_HIDE})   # a literal placeholder in the text: U+FFFD
_OUT = str.maketrans({p: c for c, p in _HIDE.items()})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")   # NUL would end a segment early; other controls are not text
_SEGMENT = re.compile(r"\[(\d+)\]([^\[\]]*)")


def _binary() -> str:
    """The apertium command's path; its absence is the one-line install hint, not a FileNotFoundError."""
    path = shutil.which(BINARY)
    if not path:
        raise StiltsError(f"apertium: the `{BINARY}` command is not installed; apt-get install apertium "
                          "apertium-eng-spa (or `make setup`, which installs it with eng-cat and en-gl)")
    return path


@functools.lru_cache(maxsize=None)
def _listed(path: str) -> frozenset[str]:
    proc = subprocess.run([path, "-l"], capture_output=True, text=True, timeout=60)
    if proc.returncode:
        raise StiltsError(f"apertium -l failed (exit {proc.returncode}): {one_line(proc.stderr)[:300]}")
    return frozenset(proc.stdout.split())


def installed_modes() -> frozenset[str]:
    """The directions `apertium -l` lists, asked once per binary: what a build may use."""
    return _listed(_binary())


def mode_files(mode: str) -> list[Path]:
    """The .mode file and every data file its pipeline reads (quoted paths under DATA_DIR), in pipeline order:
    what the build key and the translation cache follow, so an upgraded package is translated afresh."""
    mode_file = DATA_DIR / "modes" / f"{mode}.mode"
    tokens = shlex.split(mode_file.read_text(encoding="utf-8"))
    data = [Path(t) for t in tokens if t.startswith(f"{DATA_DIR}/") and Path(t).is_file()]
    return list(dict.fromkeys([mode_file, *data]))


@functools.lru_cache(maxsize=None)
def package_version(package: str) -> str:
    """The Debian version of an installed package ('' where dpkg-query cannot say): the rows' provenance."""
    try:
        proc = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


class ApertiumTranslator:
    name = "apertium"
    word_level = False   # translates whole sentences and reorders words: token labels would not follow

    def __init__(self, cfg: TranslatorConfig):
        self.cfg = cfg

    def _mode(self, src: str, tgt: str) -> str:
        """The installed direction src->tgt (one side English), or the one-line list of what is installed."""
        want = (PAIRS[tgt][0] if src == "en" and tgt in PAIRS
                else PAIRS[src][1] if tgt == "en" and src in PAIRS else None)
        modes = installed_modes()
        if want in modes:
            return want
        installed = ", ".join(f"en-{lang} ({fwd})" for lang, (fwd, _) in sorted(PAIRS.items()) if fwd in modes)
        lang = tgt if src == "en" else src
        hint = (f"apt-get install apertium-{PAIRS[lang][0]}" if lang in PAIRS
                else "apt-get install apertium-eng-XXX where Debian ships one")
        raise StiltsError(f"apertium: no installed pair for {src}-{tgt}; installed: {installed or 'none'}; {hint}")

    def check(self, lang: str) -> None:
        """Config-time refusal of a language without an installed pair (advmine.config calls it per --langs)."""
        self._mode("en", lang)

    def inputs(self, tgt: str) -> list[Path]:
        return mode_files(self._mode("en", tgt))

    def model_id(self, tgt: str) -> str:
        """'apertium:eng-spa=0.8.1-2': the direction and the Debian version of the package holding its data."""
        mode = self._mode("en", tgt)
        data_dirs = [p.parent.name for p in mode_files(mode)[1:]]
        version = package_version(data_dirs[0]) if data_dirs else ""
        return f"apertium:{mode}={version}" if version else f"apertium:{mode}"

    def cache_id(self, tgt: str) -> str:
        """The model id plus a short hash of the mode's files: edited data is never served from the cache."""
        digest = hashlib.sha256("".join(file_digest(p) for p in self.inputs(tgt)).encode()).hexdigest()
        return f"{self.model_id(tgt)}@{digest[:12]}"

    def translate(self, texts: list[str], tgt: str, src: str = "en") -> list[str]:
        return self._run(texts, self._mode(src, tgt))

    def can_translate_back(self, lang: str) -> bool:
        return lang in PAIRS and PAIRS[lang][1] in installed_modes()

    def translate_back(self, texts: list[str], lang: str) -> list[str]:
        """`texts` in `lang` into English through the reverse mode (spa-eng, ...), batched and checked alike."""
        return self._run(texts, self._mode(lang, "en"))

    def back_id(self, lang: str) -> str:
        return f"apertium:{self._mode(lang, 'en')}"

    def back_cache_id(self, lang: str) -> str:
        """The reverse mode and a short hash of its own files (the round trip's cache key)."""
        files = mode_files(self._mode(lang, "en"))
        return f"{self.back_id(lang)}@{hashlib.sha256(''.join(file_digest(p) for p in files).encode()).hexdigest()[:12]}"

    def coverage(self, texts: list[str], tgt: str) -> dict[str, int] | None:
        """None: counting unknown words would mean a second apertium run over every string on every build,
        cache hits included, and the card's coverage column describes dictionary lookups."""
        return None

    def _run(self, texts: list[str], mode: str) -> list[str]:
        """One apertium process for the whole batch; N segments in, N out, or a StiltsError."""
        if not texts:
            return []
        segments = [" ".join(_CONTROL.sub(" ", t).split()).translate(_IN) for t in texts]
        data = "".join(f"[{i}]{s} \0" for i, s in enumerate(segments)).encode("utf-8")
        timeout = TIMEOUT_S + len(data) // 2000
        try:
            proc = subprocess.run([_binary(), "-z", "-f", "none", "-u", mode], input=data, capture_output=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            raise StiltsError(f"apertium {mode}: no answer within {timeout}s for {len(texts)} segments") from None
        if proc.returncode:
            err = one_line(proc.stderr.decode("utf-8", "replace"))[:400] or "no message on stderr"
            raise StiltsError(f"apertium {mode} failed (exit {proc.returncode}): {err}")
        parts = proc.stdout.decode("utf-8", "replace").split("\0")
        out = []
        for i, text in enumerate(texts):
            m = _SEGMENT.fullmatch(parts[i]) if i < len(parts) else None
            if not m or int(m.group(1)) != i:
                raise StiltsError(f"apertium {mode}: output misaligned at segment {i + 1} of {len(texts)} "
                                  f"({one_line(text)[:60]!r}); refusing to return shifted translations")
            out.append(" ".join(m.group(2).translate(_OUT).split()))
        if any(p.strip() for p in parts[len(texts):]):
            raise StiltsError(f"apertium {mode}: output has more segments than the {len(texts)} sent")
        return out
