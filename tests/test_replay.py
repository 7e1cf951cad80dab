"""Replay the site's real CMS history; incremental builds must equal full rebuilds."""
import numpy as np
from cms_history import apply_commit, read_history
from conftest import HISTORY, need

from askposts.answering.model import AnswerModel
from askposts.answering.query import Query
from askposts.answering.rank import score
from askposts.indexing.builder import Builder

EVERY = 30  # incremental build every N commits (benchmarks/bench_replay.py does every commit)
QUESTIONS = ["¿Qué es justicia abierta?", "portal de datos abiertos", "elecciones 2023",
             "consultoría de comunicación", "índice de gobierno digital"]


def fused(gen, builder, question):
    query = Query.parse(question, gen, builder.analyzer, builder.embedder.embed_query(question))
    return score(gen, query, AnswerModel.load().fusion).fused


def same_ranking(incremental, full, builder, question):
    """Same top 10, up to near ties: the encoder's rounding (bfloat16) moves scores a little,
    so two posts whose scores differ by less than that may swap; nothing else may move."""
    a, b = fused(incremental, builder, question), fused(full, builder, question)
    tie = 0.02 * (b.max() - np.median(b))
    assert np.abs(a - b).max() < tie, question
    top_a, top_b = list(np.argsort(-a)[:10]), list(np.argsort(-b)[:10])
    assert len(set(top_a) & set(top_b)) >= 9, question
    for i in top_b:
        for j in top_b:
            if b[i] - b[j] > 2 * tie:  # clearly ahead in the full rebuild: ahead here too
                assert a[i] > a[j], question


def same_vectors(a, b):
    """Equal up to the encoder's rounding: a text embedded in another batch (other padding)
    differs in the last bits, more so in bfloat16 (cosine >= 0.999; fp32: atol 1e-5)."""
    assert a.shape == b.shape
    assert float((a * b).sum(1).min()) >= 0.999


def assert_same(incremental, full, builder):
    assert [p.to_dict() for p in incremental.posts] == [p.to_dict() for p in full.posts]
    assert incremental.passages == full.passages
    same_vectors(incremental.vectors.vectors(), full.vectors.vectors())
    np.testing.assert_array_equal(incremental.units, full.units)
    np.testing.assert_array_equal(incremental.windows, full.windows)
    assert incremental.window_keys == full.window_keys
    same_vectors(incremental.window_vectors, full.window_vectors)
    assert incremental.document_frequency == full.document_frequency
    for question in QUESTIONS:
        same_ranking(incremental, full, builder, question)


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
        if n == len(commits):  # one full rebuild (the fake-embedder replay checks more often)
            full, full_report = builder.build(site, tmp_path / f"full-{n}", rebuild=True)
            assert_same(gen, full, builder)
            checked += 1
    assert checked == 1
    # Incremental embedding never re-embeds unchanged text: far less than rebuilding each time.
    assert embedded < 2 * full_report.embedded
    print(f"replay: {embedded} passages embedded incrementally; a full rebuild embeds "
          f"{full_report.embedded} each time")
