"""Replay the site's real CMS history; incremental builds must equal full rebuilds."""
import numpy as np

from askposts.history import apply_commit, read_history
from askposts.indexer import Builder
from askposts.retrieve import score, top_posts
from conftest import HISTORY, need

EVERY = 30  # incremental build every N commits (benchmarks/bench_replay.py does every commit)
QUESTIONS = ["¿Qué es justicia abierta?", "portal de datos abiertos", "elecciones 2023",
             "consultoría de comunicación", "índice de gobierno digital"]


def top10(gen, builder, question):
    q = builder.embedder.embed_query(question)
    sc = score(gen, q, builder.analyzer.terms(question), 0.5, 0.5)
    return [gen.posts[i].path for i in top_posts(sc, 10)]


def assert_same(incremental, full, builder):
    assert [p.to_dict() for p in incremental.posts] == [p.to_dict() for p in full.posts]
    assert incremental.passages == full.passages
    np.testing.assert_allclose(incremental.vectors.vectors(), full.vectors.vectors(), atol=1e-5)
    for question in QUESTIONS:
        assert top10(incremental, builder, question) == top10(full, builder, question)


def test_replay_real_history(tmp_path, settings, embedder):
    site, index = tmp_path / "site", tmp_path / "index"
    site.mkdir()
    builder = Builder(settings, embedder)
    commits = list(read_history(need(HISTORY)))
    assert len(commits) == 423
    embedded, gen, checked = 0, None, 0
    for n, commit in enumerate(commits, 1):
        apply_commit(site, commit)
        if n % EVERY and n != len(commits):
            continue
        gen, report = builder.build(site, index)
        embedded += report.embedded
        if n in (EVERY * 7, len(commits)):
            full, full_report = builder.build(site, tmp_path / f"full-{n}", rebuild=True)
            assert_same(gen, full, builder)
            checked += 1
    assert checked == 2
    # Incremental embedding never re-embeds unchanged text: far less than rebuilding each time.
    assert embedded < 2 * full_report.embedded
    print(f"replay: {embedded} passages embedded incrementally; a full rebuild embeds "
          f"{full_report.embedded} each time")
