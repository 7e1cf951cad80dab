"""The PostgreSQL backend (a real PostgreSQL 18 + pgvector): same answers, one shared index."""
import json
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest
from cms_history import apply_commit, read_history
from conftest import HISTORY, ROOT, SAMPLE, need

from askposts import IndexBusy, build_index, open_index
from askposts.indexing.builder import Builder
from askposts.indexing.stores import open_store

QUESTIONS = ["¿cuántos días duró el taller de datos abiertos?", "hackatón", "compras públicas",
             "presupuesto participativo", "mapa de servicios de salud"]


def same_generation(a, b):
    assert [p.to_dict() for p in a.posts] == [p.to_dict() for p in b.posts]
    assert a.passages == b.passages and a.keys == b.keys
    np.testing.assert_array_equal(a.vectors.vectors(), b.vectors.vectors())
    np.testing.assert_array_equal(a.units, b.units)
    np.testing.assert_array_equal(a.windows, b.windows)
    assert a.window_keys == b.window_keys
    np.testing.assert_array_equal(a.window_vectors, b.window_vectors)
    assert a.document_frequency == b.document_frequency


def test_postgres_backend_answers_like_the_folder_backend(pg_settings, settings, fake_embedder,
                                                           tmp_path):
    folder = build_index(SAMPLE, tmp_path / "f", settings, embedder=fake_embedder)
    pg = build_index(SAMPLE, tmp_path / "p", pg_settings, embedder=fake_embedder)
    assert pg.report.published and not list((tmp_path / "p").glob("gen-*"))
    reopened = open_index(tmp_path / "p", pg_settings, fake_embedder)  # read back from the DB
    same_generation(reopened.generation, folder.generation)
    for q in QUESTIONS:
        assert [h.to_dict() for h in reopened.search(q, k=5)] == \
            [h.to_dict() for h in folder.search(q, k=5)]
        assert reopened.ask(q).to_dict() == folder.ask(q).to_dict()
    again = build_index(SAMPLE, tmp_path / "p", pg_settings, embedder=fake_embedder)
    assert again.report.embedded == 0 and not again.report.published


def test_a_big_index_is_read_back_from_the_database_as_hnsw(pg_settings, settings,
                                                            fake_embedder, tmp_path):
    ann = {"ann_threshold": 1, "hnsw_m": 8}
    folder = build_index(SAMPLE, tmp_path / "f", settings, embedder=fake_embedder)
    build_index(SAMPLE, tmp_path / "p", pg_settings.with_values(ann), embedder=fake_embedder)
    reopened = open_index(tmp_path / "p", pg_settings, fake_embedder)  # params: the manifest's
    gen = reopened.generation
    assert gen.vectors.params()["kind"] == gen.window_index.params()["kind"] == "hnsw"
    assert gen.manifest["vectors"]["passages"]["m"] == 8
    for q in QUESTIONS:
        assert [h.path for h in reopened.search(q, k=3)] == \
            [h.path for h in folder.search(q, k=3)]


def test_incremental_equals_full_rebuild_and_old_generations_go(pg_settings, fake_embedder,
                                                                 tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SAMPLE, site)
    builder = Builder(pg_settings, fake_embedder)
    builder.build(site, tmp_path / "i")
    post = next(site.glob("blogs/*cob*n.md"))
    post.write_text(post.read_text() + "\nUn párrafo nuevo sobre auditoría social.\n")
    (site / "blogs" / "nuevo.md").write_text("---\ntitle: Nuevo\n---\nUna zanahoria cívica.")
    gen, report = builder.build(site, tmp_path / "i")
    assert 0 < report.embedded < report.passages + report.windows
    full_settings = pg_settings.with_values({"database_schema": pg_settings.database_schema + "f"})
    full, _ = Builder(full_settings, fake_embedder).build(site, tmp_path / "j", rebuild=True)
    same_generation(open_store(pg_settings, "x").load(), full)
    builder.build(site, tmp_path / "i", rebuild=True)
    store = open_store(pg_settings, "x")
    with __import__("contextlib").closing(store._connect()) as con:
        count = con.execute(f"SELECT count(*) FROM {store.schema}.generations").fetchone()[0]
    assert count == 2  # the published one and the one before it


def test_a_second_builder_waits_then_stops_clearly(pg_settings, fake_embedder, tmp_path):
    store = open_store(pg_settings, tmp_path)
    with store.lock():
        with pytest.raises(IndexBusy, match="Otro proceso"):
            Builder(pg_settings, fake_embedder).build(SAMPLE, tmp_path, wait=0.3)


CHILD = """
import json, sys
from askposts import HashEmbedder, Settings, open_index, build_index
settings = Settings.load(env={}, **json.loads(sys.argv[1]))
if sys.argv[2] == "build":  # stops at ASKPOSTS_PAUSE_AT, where the test kills it
    build_index(sys.argv[3], sys.argv[4], settings, embedder=HashEmbedder(64))
    sys.exit()
index = open_index(sys.argv[4], settings, HashEmbedder(64))
for line in sys.stdin:
    hits = index.search(line.strip(), k=1)
    print(json.dumps([hits[0].path, len(index.posts)]), flush=True)
"""


def _child(pg_settings, mode, content, index, **env):
    values = {k: getattr(pg_settings, k) for k in ("backend", "database_url",
                                                    "database_schema")}
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(values), mode,
                             str(content), str(index)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, **env})


def test_two_processes_share_one_database(pg_settings, fake_embedder, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SAMPLE, site)
    builder = Builder(pg_settings, fake_embedder)
    builder.build(site, tmp_path / "a")
    reader = _child(pg_settings, "read", site, tmp_path / "b")
    try:
        reader.stdin.write("zanahoria cívica\n")
        reader.stdin.flush()
        assert json.loads(reader.stdout.readline())[1] == 10
        (site / "blogs" / "nuevo.md").write_text("---\ntitle: Nuevo\n---\nUna zanahoria cívica.")
        builder.build(site, tmp_path / "a")  # published through this process...
        reader.stdin.write("zanahoria cívica\n")
        reader.stdin.flush()
        assert json.loads(reader.stdout.readline()) == ["blogs/nuevo.md", 11]  # ...read there
    finally:
        reader.kill()
        reader.wait(timeout=10)


def test_a_build_killed_before_publishing_leaves_the_published_one(pg_settings, fake_embedder,
                                                                    tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SAMPLE, site)
    Builder(pg_settings, fake_embedder).build(site, tmp_path)
    (site / "blogs" / "nuevo.md").write_text("---\ntitle: Nuevo\n---\nUna zanahoria cívica.")
    proc = _child(pg_settings, "build", site, tmp_path, ASKPOSTS_PAUSE_AT="writing")
    try:
        assert proc.stdout.readline().strip() == "PAUSED writing"  # rows written, not published
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert len(open_index(tmp_path, pg_settings, fake_embedder).posts) == 10
    _, report = Builder(pg_settings, fake_embedder).build(site, tmp_path)
    assert report.published and len(open_index(tmp_path, pg_settings, fake_embedder).posts) == 11


@pytest.mark.slow  # reads ../shared/history
@pytest.mark.parametrize("backend", ["faiss", "postgres"])
def test_replay_real_history_incremental_equals_full(backend, pg_settings, settings,
                                                     fake_embedder, tmp_path):
    chosen = pg_settings if backend == "postgres" else settings
    site = tmp_path / "site"
    site.mkdir()
    builder = Builder(chosen, fake_embedder)
    for n, commit in enumerate(read_history(need(HISTORY)), 1):
        apply_commit(site, commit)
        if n % 30 == 0:
            gen, _ = builder.build(site, tmp_path / "i")
            if n % 150 == 0:  # every fifth build: equal to a full rebuild from scratch
                full, _ = Builder(settings_for(chosen, f"f{n}"), fake_embedder).build(
                    site, tmp_path / f"full-{n}", rebuild=True)
                same_generation(open_store(chosen, tmp_path / "i").load(), full)
    gen, _ = builder.build(site, tmp_path / "i")
    assert len(gen.posts) > 100


def settings_for(settings, suffix):
    return settings.with_values({"database_schema": settings.database_schema + suffix})


def test_the_question_log_lives_in_the_database_with_that_backend(pg_settings, fake_embedder,
                                                                   tmp_path):
    from askposts.questionlog.database import PostgresDB
    from askposts.questionlog.log import open_log

    index = build_index(SAMPLE, tmp_path, pg_settings, embedder=fake_embedder)
    qlog = open_log(pg_settings, tmp_path)
    assert isinstance(qlog.db, PostgresDB)
    qid = qlog.record(index.ask("¿me llaman al 5512-3456?"), 0.02,
                      vector=np.ones(64, np.float32) / 8, source="widget")
    qlog.feedback(qid, False, "escriban a ana@x.org")
    qlog.close()
    # The staff summary and corrections speak the same SQL there.
    import datetime as dt

    from askposts.questionlog.corrections import Corrections
    from askposts.questionlog import wordings
    from askposts.questionlog.summary import summarize

    today = dt.datetime.now(dt.timezone.utc).date()
    seen = summarize(open_log(pg_settings, tmp_path), today - dt.timedelta(days=6), today)
    assert seen.questions == 1 and seen.sources["widget"] == 1 and seen.not_useful == 1
    pg_log = open_log(pg_settings, tmp_path)
    # The summary's groups read each wording once there too.
    (asked,) = wordings.asked(pg_log, today - dt.timedelta(days=6), today)
    assert (asked.count, asked.not_useful, asked.vector.shape) == (1, 1, (64,))
    noted = wordings.comments(pg_log, today, today)
    assert noted == [(asked.question, "escriban a [correo]")]
    kept = Corrections(open_log(pg_settings, tmp_path))
    kept.add("¿me llaman al 5512-3456?", answerable=False, should_answer=False)
    assert [c.answerable for c in kept.all()] == [False]
    assert not (tmp_path / "questions.sqlite").exists()
    (row,) = open_log(pg_settings, tmp_path).rows(unanswered=True)
    assert row.question == "¿me llaman al [teléfono]?" and row.comment == "escriban a [correo]"
    assert row.useful is False and row.vector.shape == (64,)
    assert open_log(pg_settings, tmp_path).purge(__import__("datetime").date(2999, 1, 1)) == 1
