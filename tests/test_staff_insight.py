"""The staff summary and corrections over HTTP: counts equal to the log's, corrections checked
against the posts and exported as train.jsonl lines, nothing without the staff token."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil

import pytest
from fastapi.testclient import TestClient

from askposts import Index
from askposts.fitting.evaluate import read_questions
from askposts.serving.app import create_site

TOKEN = "token-del-personal-1234"
STAFF = {"Authorization": f"Bearer {TOKEN}"}
QUESTIONS = ["¿Cuántos funcionarios participaron en el taller de datos abiertos en Cobán?",
             "¿Qué es el presupuesto participativo?", "¿Cuándo fue la hackatón cívica 2024?",
             "¿Cuál es el horario del zoológico?", "¿Quién ganó el mundial de fútbol?"]


@pytest.fixture
def site(fake_index, tmp_path):
    settings = dataclasses.replace(fake_index.settings, staff_token=TOKEN)
    folder = tmp_path / "index"
    shutil.copytree(fake_index.folder.path, folder,
                    ignore=shutil.ignore_patterns("*.sqlite*", "LOCK"))
    app = create_site(Index(folder, settings, fake_index.embedder))
    client = TestClient(app)
    ids = []
    for i, q in enumerate(QUESTIONS):  # from the widget and from the API
        extra = {"source": "widget"} if i % 2 else {}
        ids.append(client.get("/api/ask", params={"q": q, **extra}).json()["id"])
    client.post("/api/feedback", json={"id": ids[0], "useful": True})
    client.post("/api/feedback", json={"id": ids[3], "useful": False})
    app.state.question_log.flush(5)
    yield client, app, ids
    app.state.question_log.flush(5)


def test_the_summary_counts_what_the_log_holds(site):
    client, app, _ = site
    today = dt.datetime.now(dt.timezone.utc).date()
    got = client.get("/api/summary", headers=STAFF).json()
    rows = app.state.question_log.rows()
    assert got["questions"] == len(rows) == len(QUESTIONS)
    assert got["until"] == today.isoformat()
    assert got["since"] == (today - dt.timedelta(days=29)).isoformat()
    for grade in ("answer", "near", "none"):
        assert got["grades"][grade] == sum(r.grade == grade for r in rows)
    assert got["sources"] == {"chat": 0, "widget": 2, "api": 3, "mcp": 0}
    assert (got["useful"], got["not_useful"]) == (1, 1)
    assert sum(w["questions"] for w in got["weeks"]) == len(rows)
    assert got["weeks"][-1]["start"] <= today.isoformat()
    cited = [p for r in rows for p in dict.fromkeys(r.cited)]
    assert {c["path"]: c["count"] for c in got["cited"]} == {p: cited.count(p) for p in cited}
    unanswered = sum(r.grade != "answer" or r.confidence < 0.5 or r.useful is False
                     for r in rows)
    assert sum(g["count"] for g in got["gaps"]) == unanswered
    # A period with nothing in it, and one that cannot be read.
    empty = client.get("/api/summary", params={"since": "2020-01-01", "until": "2020-01-31"},
                       headers=STAFF).json()
    assert empty["questions"] == 0 and empty["gaps"] == [] and len(empty["weeks"]) == 5
    bad = client.get("/api/summary", params={"since": "ayer"}, headers=STAFF)
    assert bad.status_code == 400 and "Fecha no válida" in bad.json()["error"]


def test_corrections_are_checked_stored_and_exported_as_training_lines(site, tmp_path):
    client, app, ids = site
    hit = client.get("/api/search", params={"q": "funcionarios taller Cobán", "k": 1}).json()
    passage = hit["hits"][0]
    made = client.post("/api/corrections", headers=STAFF, json={
        "question": QUESTIONS[0], "question_id": ids[0], "answerable": True,
        "path": passage["path"], "evidence": passage["text"]})
    assert made.status_code == 201, made.text
    assert client.post("/api/corrections", headers=STAFF, json={
        "question": QUESTIONS[3], "answerable": False, "should_answer": False,
        "note": "No trabajamos en eso"}).status_code == 201
    for body, says in (
            ({"question": "x", "answerable": True, "path": passage["path"],
              "evidence": "un texto que no está en la publicación"}, "palabra por palabra"),
            ({"question": "x", "answerable": True, "path": "blogs/no-existe.md",
              "evidence": "algo"}, "No hay ninguna publicación"),
            ({"question": "x", "answerable": True}, "Elija el pasaje"),
            ({"answerable": True}, "Corrección no válida"),
            ({"question": 3, "answerable": "sí"}, "Corrección no válida")):
        r = client.post("/api/corrections", headers=STAFF, json=body)
        assert r.status_code == 400 and says in r.json()["error"], (body, r.text)
    for raw in (b"{", b"\xff\xfe", b"null", b"[1]"):
        r = client.post("/api/corrections", headers={**STAFF, "Content-Type": "application/json"},
                        content=raw)
        assert r.status_code == 400 and "Corrección no válida" in r.json()["error"], raw
    lines = client.get("/api/corrections", params={"format": "jsonl"}, headers=STAFF).text
    exported = tmp_path / "correcciones.jsonl"
    exported.write_text(lines, encoding="utf-8")
    rows = [json.loads(x) for x in lines.splitlines()]
    assert [r["answerable"] for r in rows] == [True, False]
    assert rows[0]["relevant"] == [passage["path"]] and rows[0]["evidence"] == passage["text"]
    assert rows[1]["relevant"] == [] and rows[1]["should_answer"] is False
    read = read_questions(exported)  # what `askposts fit --questions` reads
    assert [q.relevant for q in read] == [[passage["path"]], []]
    # Kept when the questions they came from expire.
    qlog = app.state.question_log
    qlog.purge(before=dt.date.today() + dt.timedelta(days=2))
    assert qlog.rows() == []
    assert len(client.get("/api/corrections", headers=STAFF).json()["corrections"]) == 2


def test_nothing_without_the_staff_token(site):
    client, _, _ = site
    for method, path in (("get", "/api/summary"), ("get", "/api/corrections"),
                         ("post", "/api/corrections")):
        assert getattr(client, method)(path).status_code == 401, path
    wrong = client.get("/api/summary", headers={"Authorization": "Bearer otro"})
    assert wrong.status_code == 403 and "incorrecta" in wrong.json()["error"]


def test_fit_reads_the_corrections_whose_passage_still_stands(site, tmp_path, settings,
                                                              fake_embedder):
    from conftest import SAMPLE

    from askposts.fitting.train import load_datasets
    from askposts.indexing.builder import Builder

    client, _, ids = site
    made = []
    for q in ("taller de datos abiertos en Cobán", "presupuesto participativo",
              "hackatón cívica"):
        hit = client.get("/api/search", params={"q": q, "k": 1}).json()["hits"][0]
        made.append(hit)
        assert client.post("/api/corrections", headers=STAFF, json={
            "question": f"¿{q}?", "answerable": True, "path": hit["path"],
            "evidence": hit["text"]}).status_code == 201
    client.post("/api/corrections", headers=STAFF, json={
        "question": QUESTIONS[4], "answerable": False, "should_answer": False})
    exported = tmp_path / "correcciones.jsonl"
    exported.write_text(client.get("/api/corrections", params={"format": "jsonl"},
                                   headers=STAFF).text, encoding="utf-8")
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    (content / made[1]["path"]).unlink()  # deleted since
    edited = content / made[2]["path"]
    edited.write_text(edited.read_text(encoding="utf-8").replace(
        made[2]["text"].split()[3], "CAMBIADO"), encoding="utf-8")  # its passage reworded
    said: dict = {}
    data = load_datasets(Builder(settings, fake_embedder), tmp_path / "work", None, None,
                         str(content), log=lambda m: 0, corrections=str(exported), said=said)
    (name, _, questions, vectors), = data
    assert name == "site" and len(questions) == len(vectors) == 2
    assert said["corrections"]["used"] == 2 and said["corrections"]["answerable"] == 1
    assert [s["why"] for s in said["corrections"]["skipped"]] == [
        "la publicación ya no está", "el pasaje ya no está"]
    assert questions[0].group == made[0]["path"]  # grouped by post, like the site's own


def test_the_largest_groups_are_current_on_a_small_log_and_refreshed_behind_on_a_big_one(
        fake_index, tmp_path, monkeypatch):
    import time as clock

    from askposts.questionlog.log import QuestionLog
    from askposts.serving import insight as module
    from askposts.serving.service import AskService

    now = [0.0]
    qlog = QuestionLog(tmp_path / "q.sqlite")
    service = AskService(fake_index, qlog=qlog)
    insight = module.Insight(service, clock=lambda: now[0])
    day = dt.datetime.now(dt.timezone.utc).date()
    insight.prepare()  # as a server does at start: nothing asked yet
    service.ask("¿Cuál es el horario del zoológico?")
    assert sum(g.count for g in insight.overview(day, day).gaps) == 1  # small: current
    monkeypatch.setattr(module, "GROUP_NOW", 0)  # a big log: answered at once, regrouped behind
    service.ask("¿Quién ganó el mundial de fútbol?")
    seen = insight.overview(day, day)
    assert seen.summary.questions == 2 and sum(g.count for g in seen.gaps) == 1
    for _ in range(100):
        if sum(g.count for g in insight.overview(day, day).gaps) == 2:
            break
        clock.sleep(0.05)
    assert sum(g.count for g in insight.overview(day, day).gaps) == 2
    qlog.close()
