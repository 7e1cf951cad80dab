"""The staff area: off without credentials, 401/403 with wrong ones, limited attempts."""
import dataclasses
import json

import pytest
from fastapi.testclient import TestClient

from askposts.cli import main
from askposts.questionlog.log import QuestionLog
from askposts.serving.app import create_app
from askposts.serving.auth import Limiter, check_password, check_token, hash_password

PASSWORD = "una-clave-larga-de-prueba"
HASH = hash_password(PASSWORD, salt=b"0123456789abcdef")  # a fixed salt: computed once


def test_password_hash_and_token_checks():
    assert check_password(PASSWORD, HASH) and not check_password("otra", HASH)
    assert not check_password(PASSWORD, "md5$x$y") and not check_password(PASSWORD, "basura")
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # salted
    assert check_token(None, "t") == 401 and check_token("Basic x", "t") == 401
    assert check_token("Bearer t", "t") == 200 and check_token("Bearer u", "t") == 403
    assert check_token("Bearer ", "") == 403


def test_limiter_blocks_after_repeated_failures():
    limiter = Limiter(attempts=3, window=60)
    for _ in range(3):
        assert limiter.blocked("1.2.3.4") == 0
        limiter.failed("1.2.3.4")
    assert limiter.blocked("1.2.3.4") > 0 and limiter.blocked("5.6.7.8") == 0


def test_workers_share_the_failed_login_count(tmp_path):
    # Two workers (two limiters on one file): the failures add up, so --workers 2 does not
    # allow twice the attempts; the file keeps no address.
    path = tmp_path / "logins.sqlite"
    one, two = Limiter(attempts=4, window=60, path=path), Limiter(attempts=4, window=60, path=path)
    for limiter in (one, two, one):
        limiter.failed("10.0.0.7")
    assert one.blocked("10.0.0.7") == 0 and two.blocked("10.0.0.7") == 0
    two.failed("10.0.0.7")
    assert one.blocked("10.0.0.7") > 0 and two.blocked("10.0.0.7") > 0
    assert one.blocked("10.0.0.8") == 0
    assert b"10.0.0.7" not in path.read_bytes()


@pytest.fixture()
def site(fake_index, tmp_path):
    settings = dataclasses.replace(fake_index.settings, staff_password_hash=HASH,
                                   staff_token="token-secreto")
    fake_index.settings = settings
    qlog = QuestionLog(tmp_path / "q.sqlite")
    try:
        yield TestClient(create_app(fake_index, qlog=qlog)), qlog
    finally:
        fake_index.settings = dataclasses.replace(settings, staff_password_hash="",
                                                  staff_token="")


def test_api_questions_needs_the_token(site):
    client, qlog = site
    client.get("/api/ask", params={"q": "¿Dónde me inscribo? mi correo es a@b.org"})
    qlog.flush()
    assert client.get("/api/questions").status_code == 401
    assert client.get("/api/questions", headers={"Authorization": "Bearer x"}).status_code == 403
    r = client.get("/api/questions", headers={"Authorization": "Bearer token-secreto"})
    assert r.status_code == 200 and r.json()["questions"] == 1
    assert r.json()["groups"][0]["examples"] == ["¿Dónde me inscribo? mi correo es [correo]"]
    csv = client.get("/api/questions", params={"format": "csv"},
                     headers={"Authorization": "Bearer token-secreto"})
    assert csv.text.startswith("grupo,") and "[correo]" in csv.text
    for _ in range(4):
        client.get("/api/questions", headers={"Authorization": "Bearer mal"})
    r = client.get("/api/questions", headers={"Authorization": "Bearer token-secreto"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_staff_login(site):
    client, _ = site
    assert client.get("/personal/config").status_code in (401, 403)  # not without a login
    bad = client.post("/personal/login", data={"username": "personal", "password": "no"})
    assert bad.status_code == 400
    good = client.post("/personal/login", data={"username": "personal", "password": PASSWORD})
    assert good.status_code == 200 and good.json() == {"success": True}
    assert client.get("/personal/config").status_code == 200
    for _ in range(5):
        client.post("/personal/login", data={"username": "personal", "password": "no"})
    late = client.post("/personal/login", data={"username": "personal", "password": PASSWORD})
    assert late.status_code == 429


def test_staff_area_is_off_without_credentials(fake_index, tmp_path):
    client = TestClient(create_app(fake_index, qlog=QuestionLog(tmp_path / "q.sqlite")))
    for path in ("/personal", "/personal/", "/personal/config"):
        r = client.get(path)
        assert r.status_code == 404 and "desactivada" in r.text, path
    r = client.get("/api/questions", headers={"Authorization": "Bearer "})
    assert r.status_code == 404
    assert "180 días" in client.get("/privacidad").text


def test_chat_logs_the_question_and_its_feedback(fake_index, tmp_path):
    from askposts.serving.chat import make_chat_handler, make_feedback_handler
    from askposts.serving.gate import Gate
    from askposts.serving.service import AskService

    qlog = QuestionLog(tmp_path / "q.sqlite")
    service = AskService(fake_index, Gate(1, 1.0), qlog)
    respond = make_chat_handler(service)
    _, _, asked, last, _ = respond("¿Quién ganó el mundial? llamen al 5512-3456", [], [], "",
                                   None, "", "")
    assert last and asked
    feedback = make_feedback_handler(service)
    assert feedback(False, "no era lo que buscaba", last)[1].startswith("Gracias")
    assert "300" in feedback(True, "x" * 400, last)[1]
    qlog.flush()
    (row,) = qlog.rows()
    assert row.question.endswith("[teléfono]") and row.useful is False
    assert row.comment == "no era lo que buscaba" and row.vector is not None


def test_cli_staff_password_questions_and_purge(fake_index, fake_embedder, tmp_path, capsys,
                                                monkeypatch):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORD + "\n"))
    assert main(["staff-password", "--stdin"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith('staff_password_hash = "scrypt$')
    assert check_password(PASSWORD, line.split('"')[1])
    folder = fake_index.folder.path
    qlog = QuestionLog(folder / "questions.sqlite")
    qlog.record(fake_index.ask("¿cuándo abre la convocatoria de becas?"), 0.1)
    qlog.close()
    assert main(["questions", "--index", str(folder), "--json"], fake_embedder) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["questions"] == 1 and report["groups"][0]["closest"]
    assert main(["questions", "purge", "--index", str(folder), "--before", "2999-01-01"],
                fake_embedder) == 0
    assert "borradas: 1" in capsys.readouterr().out
