"""Shared fixtures. The real model and the real corpus are loaded once per test session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from askposts import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "redciudadana"
EVAL = ROOT.parent / "shared" / "eval" / "dev.jsonl"
HISTORY = ROOT.parent / "shared" / "history" / "redciudadana-cms.jsonl"
SAMPLE = ROOT / "content"
SITE = "https://redciudadana.org"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests read ../shared beside the repository")
    return path


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.load(config=ROOT / "no-config.toml", env={}, site_url=SITE)


@pytest.fixture(scope="session")
def embedder(settings):
    from askposts.embedding import Embedder

    return Embedder.from_settings(settings)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, settings, embedder):
    """The real corpus, indexed once for the session with the real model."""
    from askposts import build_index

    folder = tmp_path_factory.mktemp("corpus-index")
    return build_index(need(CORPUS), folder, settings, embedder=embedder)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, settings, embedder):
    from askposts import build_index

    folder = tmp_path_factory.mktemp("sample-index")
    return build_index(SAMPLE, folder, settings, embedder=embedder)
