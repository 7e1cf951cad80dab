"""Candidate-limited ranking and the vector backends (exact, HNSW, filtered)."""
import json

import numpy as np
import pytest
from conftest import SAMPLE

from askposts import Filters, build_index, open_index
from askposts.answering.rank import _items_for, _rows
from askposts.indexing.vectors import (
    EXACT_FILTERED,
    AnnParams,
    ArrayBackend,
    FaissBackend,
)

QUESTIONS = ["¿Qué es el presupuesto participativo?", "hackatón cívica",
             "mapa de servicios de salud", "¿Cómo solicito información pública?",
             "compras del Estado", "taller de datos abiertos en Cobán"]


def test_rows_lists_every_item_of_the_posts():
    first = np.array([0, 2, 2, 5, 6])  # post 1 has no items
    assert _rows(first, np.array([0, 2, 3])).tolist() == [0, 1, 2, 3, 4, 5]
    assert _rows(first, np.array([1])).tolist() == []
    assert _rows(first, np.array([], np.int64)).tolist() == []


def test_rankers_are_asked_for_enough_items_to_span_the_limit():
    assert _items_for(300, 406, 163) == 406 * 300 // 163 + 1  # the real corpus: all of it
    assert _items_for(300, 10_000_000, 1000) == 4 * 300  # bounded
    assert _items_for(5, 0, 0) == 1


def _limited(index, settings, fake_embedder, limit):
    return open_index(index.folder.path, settings.with_values({"candidates": limit}),
                      embedder=fake_embedder)


def test_a_small_limit_ranks_only_candidates_and_keeps_the_best(fake_index, settings,
                                                                fake_embedder):
    small = _limited(fake_index, settings, fake_embedder, 1)
    fewer = 0
    for q in QUESTIONS:
        _, full = fake_index.scores(q)
        _, part = small.scores(q)
        assert np.isfinite(full.fused).all()  # 10 posts <= 300: every post is scored
        ranked = np.isfinite(part.fused)
        fewer += int(ranked.sum() < len(ranked))
        assert (part.features[~ranked] == 0).all()
        assert small.search(q, 1)[0].path == fake_index.search(q, 1)[0].path
    assert fewer  # the limit did cut some candidates


def test_filters_are_pushed_into_every_ranker(fake_index, settings, fake_embedder):
    small = _limited(fake_index, settings, fake_embedder, 1)
    only = Filters(collections=("proyectos",))
    gen = small.generation
    projects = np.array([p.collection == "proyectos" for p in gen.posts])
    outside = 0
    for q in QUESTIONS:
        _, unfiltered = small.scores(q)
        # Filtering the candidates afterwards would leave nothing when no ranker's best
        # is a project; asking each ranker among projects only always finds some.
        outside += int(not np.isfinite(unfiltered.fused[projects]).any())
        hits = small.search(q, 3, only)
        assert len(hits) >= 1 and all(h.collection == "proyectos" for h in hits)
    assert outside


def _brute(data, q, k, allowed=None):
    ids = np.arange(len(data)) if allowed is None else allowed
    s = data[ids] @ q
    return ids[np.argsort(-s, kind="stable")[:k]]


@pytest.fixture(scope="module")
def cloud():
    rng = np.random.default_rng(7)
    data = rng.normal(size=(EXACT_FILTERED + 5000, 16)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    return data, data[rng.integers(0, len(data), 20)] + 0.01


def test_backends_agree_with_brute_force_with_and_without_filters(cloud):
    data, queries = cloud
    rng = np.random.default_rng(1)
    few = np.sort(rng.choice(len(data), 300, replace=False))
    many = np.sort(rng.choice(len(data), EXACT_FILTERED + 1000, replace=False))  # IDSelector
    exact = FaissBackend(16)
    exact.add(data)
    hnsw = FaissBackend.hnsw(16, AnnParams(m=16, ef_construction=64, ef_search=64))
    hnsw.add(data)
    recalls = []
    for q in queries:
        for allowed in (None, few, many):
            truth = _brute(data, q, 10, allowed)
            for backend in (exact, ArrayBackend(data)):
                assert backend.search(q, 10, allowed)[1].tolist() == truth.tolist()
            found = hnsw.search(q, 10, allowed)[1]
            assert allowed is None or np.isin(found, allowed).all()
            recalls.append(len(set(found) & set(truth)) / 10)
    assert np.mean(recalls) >= 0.9
    np.testing.assert_allclose(hnsw.rows(few[:3]), data[few[:3]])
    assert hnsw.params() == {"kind": "hnsw", "m": 16, "ef_construction": 64, "ef_search": 64}
    assert exact.params() == {"kind": "exact"}


def test_above_the_threshold_the_index_is_hnsw_and_says_so(tmp_path, settings, fake_embedder,
                                                          fake_index):
    ann = settings.with_values({"ann_threshold": 1, "hnsw_m": 8})
    index = build_index(SAMPLE, tmp_path / "idx", ann, embedder=fake_embedder)
    gen = index.generation
    folder = index.folder.path / gen.name
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["vectors"]["passages"]["kind"] == "hnsw"
    assert manifest["vectors"]["windows"] == {"kind": "hnsw", "m": 8,
                                                "ef_construction": 80, "ef_search": 128}
    assert (folder / "windows.faiss").exists()
    again = open_index(tmp_path / "idx", ann, embedder=fake_embedder)
    assert again.generation.window_index.params()["kind"] == "hnsw"
    for q in QUESTIONS:  # ten posts: the graph finds what exact search finds
        assert [h.path for h in again.search(q, 3)] == [h.path for h in fake_index.search(q, 3)]
    # A different threshold is a different index: the next build rebuilds it.
    exact = build_index(SAMPLE, tmp_path / "idx", settings, embedder=fake_embedder)
    assert exact.generation.name != gen.name
    assert exact.generation.window_index.params() == {"kind": "exact"}
