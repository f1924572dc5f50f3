"""Text helpers shared by stilts and advmine (both import stilts.core, never the reverse)."""
from __future__ import annotations

import re
import zlib

# A sentence ends at . ! ? (and their CJK, Arabic and Devanagari forms) followed by space, or right after a CJK
# full stop. A regex, so abbreviations such as "U.S." split too.
_SENTENCE = re.compile(r"(?<=[.!?。！？؟।])\s+|(?<=[。！？])")


def sentences(context: str) -> list[tuple[int, str]]:
    """(character offset, sentence) of each non-empty sentence of `context`, in order."""
    out, start = [], 0
    for piece in _SENTENCE.split(context):
        at = context.find(piece, start)
        if piece.strip():
            out.append((at, piece))
        start = at + len(piece)
    return out


def text_key(text: str) -> int:
    """A stable key of a text (crc32, the same in every process): equal texts, equal keys."""
    return zlib.crc32(text.encode("utf-8"))
