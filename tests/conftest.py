"""Tests are offline by construction: the hub is switched off and every cache lives in a session temp dir."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

_CACHE = Path(tempfile.mkdtemp(prefix="stilts-tests-"))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HOME"] = str(_CACHE / "hf")
os.environ["HF_DATASETS_CACHE"] = str(_CACHE / "datasets")
os.environ["ADVMINE_CACHE"] = str(_CACHE / "advmine")
os.environ["STILTS_CACHE"] = str(_CACHE / "stilts")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "MANIFEST.md").is_file():
        pytest.fail(f"{SHARED_DATA} is missing: the tests need ../shared/data beside the checkout (as in CI)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def cache_root() -> Path:
    return _CACHE


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory) -> Path:
    """A randomly initialised Marian model (see advmine.tiny): seconds to build, once per test session."""
    from advmine.tiny import build_tiny_marian

    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian"))


@pytest.fixture(scope="session")
def tiny_sentence_encoder(tmp_path_factory) -> Path:
    """A sentence-transformers model (tiny random XLM-R + mean pooling), saved like any hub model."""
    from sentence_transformers import SentenceTransformer, models

    from advmine.tiny import build_tiny_xlmr
    from stilts.core.tasks import load

    d = tmp_path_factory.mktemp("tiny-st")
    texts = [*load("xnli", "dev", "en", source="kit")["text_a"], *load("xnli", "dev", "sw", source="kit")["text_a"]]
    encoder = build_tiny_xlmr(d / "xlmr", texts)
    word = models.Transformer(str(encoder), max_seq_length=64)
    st = SentenceTransformer(modules=[word, models.Pooling(word.get_embedding_dimension(), "mean")], device="cpu")
    st.save(str(d / "st"))
    return d / "st"
