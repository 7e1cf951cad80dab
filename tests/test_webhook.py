"""The site's own pages call the API (CORS, feedback), and the CMS's webhook reindexes."""
import dataclasses
import hashlib
import hmac
import json
import shutil
import subprocess
import threading

import pytest
from fastapi.testclient import TestClient

from askposts import Index
from askposts.questionlog.log import QuestionLog
from askposts.serving.app import create_site
from askposts.serving.http import create_api
from askposts.serving.reindex import Reindexer, run_command, signature_status
from askposts.serving.service import AskService

SITE = "https://redciudadana.org"
SECRET = "secreto-del-webhook"


def _index(base, embedder, **changes):
    return Index(base.folder.path, dataclasses.replace(base.settings, **changes),
                 embedder=embedder)


def _signed(body: bytes, secret: str = SECRET) -> dict:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": "sha256=" + digest, "Content-Type": "application/json"}


def test_only_the_sites_own_pages_get_cors_headers(_fake_index, fake_embedder, tmp_path):
    index = _index(_fake_index, fake_embedder, allowed_origins=(SITE,))
    client = TestClient(create_site(index, qlog=QuestionLog(tmp_path / "q.sqlite")))
    asked = {"q": "¿Qué actividades tuvo el taller?"}
    ours = client.get("/api/ask", params=asked, headers={"Origin": SITE})
    theirs = client.get("/api/ask", params=asked, headers={"Origin": "https://otro.example"})
    assert ours.headers["access-control-allow-origin"] == SITE
    assert "access-control-allow-origin" not in theirs.headers
    preflight = client.options("/api/feedback", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_feedback_on_an_answer_from_the_api(fake_index, tmp_path):
    qlog = QuestionLog(tmp_path / "q.sqlite")
    client = TestClient(create_api(AskService(fake_index, qlog=qlog)))
    answer = client.get("/api/ask", params={"q": "¿Dónde fue el taller en Cobán?"}).json()
    assert answer["id"]
    sent = client.post("/api/feedback", json={"id": answer["id"], "useful": False,
                                              "comment": "faltó la fecha"})
    assert sent.status_code == 200 and sent.json() == {"ok": True}
    qlog.flush()
    (row,) = qlog.rows()
    assert row.useful is False and row.comment == "faltó la fecha"
    for bad in ({"id": answer["id"]}, {"id": answer["id"], "useful": "sí"}, [1, 2]):
        r = client.post("/api/feedback", json=bad)
        assert r.status_code == 400 and "JSON" in r.json()["error"]
    r = client.post("/api/feedback", json={"id": answer["id"], "useful": True,
                                           "comment": "x" * 400})
    assert r.status_code == 400 and "300" in r.json()["error"]


class FakeRun:
    """git runs for real; the build is recorded (and may be held, or fail)."""

    def __init__(self, fail: bool = False) -> None:
        self.builds, self.fail = [], fail
        self.hold = threading.Event()
        self.hold.set()

    def __call__(self, args, cwd=None):
        if args[0] == "git":
            return run_command(args, cwd)
        self.hold.wait(10)
        self.builds.append(list(args))
        return (2, "Error: algo falló") if self.fail else (0, "listo")


def _git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                   check=True, capture_output=True)


@pytest.fixture
def checkout(tmp_path):
    origin, content = tmp_path / "origin", tmp_path / "content"
    (origin / "blogs").mkdir(parents=True)
    (origin / "blogs" / "uno.md").write_text("---\ntitle: Uno\n---\nTexto.\n")
    _git("init", "-q", "-b", "main", cwd=origin)
    _git("add", ".", cwd=origin)
    _git("commit", "-qm", "uno", cwd=origin)
    _git("clone", "-q", str(origin), str(content), cwd=tmp_path)
    return origin, content


def test_the_webhook_is_signed_pulls_and_reindexes(_fake_index, fake_embedder, checkout,
                                                   tmp_path):
    origin, content = checkout
    run = FakeRun()
    reindexer = Reindexer(content, tmp_path / "index", SITE, run=run)
    off = TestClient(create_api(AskService(_fake_index)))
    assert off.post("/api/reindex", content=b"{}").status_code == 404  # not configured
    index = _index(_fake_index, fake_embedder, reindex_secret=SECRET)
    client = TestClient(create_api(AskService(index), reindexer=reindexer))
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    assert client.post("/api/reindex", content=body).status_code == 401
    assert client.post("/api/reindex", content=body,
                       headers=_signed(body, "otro")).status_code == 403
    (origin / "blogs" / "dos.md").write_text("---\ntitle: Dos\n---\nOtro texto.\n")
    _git("add", ".", cwd=origin)
    _git("commit", "-qm", "dos", cwd=origin)
    r = client.post("/api/reindex", content=body, headers=_signed(body))
    assert r.status_code == 202
    reindexer.wait()
    assert (content / "blogs" / "dos.md").is_file()  # pulled, fast-forward
    (build,) = run.builds
    assert build[-6:] == ["index", str(content), "--index", str(tmp_path / "index"),
                          "--site-url", SITE]
    health = client.get("/api/health").json()
    assert health["reindex"]["runs"] == 1 and health["reindex"]["last_error"] == ""
    assert health["built"]


def test_one_build_at_a_time_and_one_queued(checkout, tmp_path):
    _, content = checkout
    run = FakeRun()
    run.hold.clear()  # the first build waits until released
    reindexer = Reindexer(content, tmp_path / "index", run=run)
    assert reindexer.request() is True  # starts
    assert reindexer.request() is True  # queued behind it
    assert reindexer.request() is False  # already queued: that build will see this change too
    run.hold.set()
    reindexer.wait()
    assert len(run.builds) == 2 and reindexer.status.state == "idle"


def test_a_failed_build_says_why_and_keeps_the_index(checkout, tmp_path):
    _, content = checkout
    reindexer = Reindexer(content, tmp_path / "index", run=FakeRun(fail=True))
    reindexer.request()
    reindexer.wait()
    assert "algo falló" in reindexer.status.last_error
    assert signature_status(b"x", None, SECRET) == 401


def test_a_push_to_the_cms_repository_reaches_the_answers(settings, embedder, tmp_path):
    # The real path: a bare repository (GitHub), the site's clone on the server, a signed
    # webhook, `git pull --ff-only` and `askposts index` in a child process.
    from conftest import SAMPLE

    from askposts import build_index

    bare, writer, content = tmp_path / "sitio.git", tmp_path / "cms", tmp_path / "content"
    _git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    shutil.copytree(SAMPLE, writer)
    _git("init", "-q", "-b", "main", cwd=writer)
    _git("add", ".", cwd=writer)
    _git("commit", "-qm", "contenido", cwd=writer)
    _git("push", "-q", str(bare), "main", cwd=writer)
    _git("clone", "-q", str(bare), str(content), cwd=tmp_path)
    s = dataclasses.replace(settings, reindex_secret=SECRET)
    index = build_index(content, tmp_path / "index", s, embedder=embedder)
    # No site URL given to the rebuild: it keeps the one the index was built with.
    reindexer = Reindexer(content, tmp_path / "index")
    client = TestClient(create_api(AskService(index), reindexer=reindexer))
    before = index.generation.name
    new = "¿En qué ciudad fue la feria de robótica escolar?"
    (writer / "blogs" / "2025-09-01-feria-de-robótica-escolar.md").write_text(
        "---\ntitle: Feria de robótica escolar\ndate: 2025-09-01\n---\nLa feria de robótica "
        "escolar se celebró en Zacapa con 40 equipos de institutos públicos.\n",
        encoding="utf-8")
    _git("add", ".", cwd=writer)
    _git("commit", "-qm", "feria", cwd=writer)
    _git("push", "-q", str(bare), "main", cwd=writer)
    body = b'{"ref": "refs/heads/main"}'
    assert client.post("/api/reindex", content=body, headers=_signed(body)).status_code == 202
    old = client.get("/api/ask", params={"q": "¿Qué es el presupuesto participativo?"})
    assert old.status_code == 200 and old.json()["citations"]  # answering during the build
    reindexer.wait(60)
    assert reindexer.status.last_error == "" and index.generation.name != before
    answer = client.get("/api/ask", params={"q": new}).json()
    assert "Zacapa" in answer["text"]
    assert answer["citations"][0]["url"].startswith(SITE + "/")
    # A pull that cannot fast-forward (the server's clone diverged) fails and says why; the
    # published generation keeps answering.
    (content / "local.md").write_text("---\ntitle: Local\n---\nCambio local.\n")
    _git("add", ".", cwd=content)
    _git("commit", "-qm", "local", cwd=content)
    (writer / "otra.md").write_text("---\ntitle: Otra\n---\nOtra.\n")
    _git("add", ".", cwd=writer)
    _git("commit", "-qm", "otra", cwd=writer)
    _git("push", "-q", str(bare), "main", cwd=writer)
    current = index.generation.name
    assert client.post("/api/reindex", content=body, headers=_signed(body)).status_code == 202
    reindexer.wait(60)
    health = client.get("/api/health").json()
    assert health["reindex"]["last_error"].startswith("git pull")
    assert health["generation"] == current
    assert "Zacapa" in client.get("/api/ask", params={"q": new}).json()["text"]
