"""Bad input on the public endpoints: each refused with a 4xx and a Spanish message, at once,
before the model and the question log, while everyone else is answered."""
from __future__ import annotations

import dataclasses
import shutil
import socket
import time
from urllib.parse import quote

import httpx
import pytest
from conftest import serving
from fastapi.testclient import TestClient

from askposts import Index
from askposts.serving.app import create_site

SPANISH = ("pregunta", "petición", "contexto", "opinión", "dirección", "Falta", "firma")


@pytest.fixture
def site(fake_index, tmp_path):
    settings = dataclasses.replace(fake_index.settings, body_wait=1.0, reindex_secret="s" * 20)
    folder = tmp_path / "index"  # a question log of its own
    shutil.copytree(fake_index.folder.path, folder,
                    ignore=shutil.ignore_patterns("*.sqlite*", "LOCK"))
    index = Index(folder, settings, fake_index.embedder)
    app = create_site(index)
    yield app, index
    app.state.question_log.flush(5)


def refused(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    text = r.json()["error"]
    assert any(word in text for word in SPANISH), text
    return text


@pytest.mark.parametrize("query,says", [
    ("q=", "Falta el parámetro q"), ("q=" + "x" * 10_000, "demasiado larga"),
    ("q=" + quote(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "no se pueden leer"),
    ("q=%00%01%02%ff%fe", "no se pueden leer"),
    ("q=hola&" + "&".join(f"context=pregunta+{i}" for i in range(1000)), "contexto"),
    ("q=hola&context=" + "y" * 600, "contexto"), ("q=hola&context=a%00b", "contexto"),
])
def test_bad_questions_are_400_before_the_model_and_the_log(site, query, says):
    app, index = site
    client = TestClient(app)
    route = "/api/ask" if "context" in query else None
    for path in [route] if route else ["/api/ask", "/api/search", "/api/export.csv"]:
        started = time.monotonic()
        assert says in refused(client.get(f"{path}?{query}"), 400)
        assert time.monotonic() - started < 1
    assert len(index._vectors) == 0  # nothing was encoded
    app.state.question_log.flush(5)
    assert app.state.question_log.rows() == []  # nothing was logged
    ok = client.get("/api/ask", params=[("q", "¿Qué es el presupuesto?"), ("context", "hola")])
    assert ok.status_code == 200


def test_malformed_json_on_every_post_route_is_a_spanish_4xx(site):
    app, _ = site
    client = TestClient(app)
    posts = sorted(r.path for r in app.routes if "POST" in getattr(r, "methods", ())
                   and "{" not in r.path)
    assert posts == ["/api/corrections", "/api/feedback", "/api/reindex"]
    for path in posts:
        for body in (b"{", b"[1, 2", b"\xff\xfe\x00", b"null", b'{"id": 1}'):
            r = client.post(path, content=body, headers={"Content-Type": "application/json"})
            assert 400 <= r.status_code < 500 and "error" in r.json(), (path, body, r.text)


def test_unknown_routes_and_methods_are_spanish(site):
    client = TestClient(site[0])
    assert "No existe" in refused(client.get("/api/nada"), 404)
    assert "No existe" in refused(client.post("/api/nada/mas", content=b"{}"), 404)
    assert "DELETE" in refused(client.delete("/api/ask"), 405)
    assert "POST" in refused(client.post("/api/search", content=b"{}"), 405)


def test_a_10_mb_body_is_refused_unread_and_a_chunked_one_at_the_limit(site):
    app, _ = site
    with serving(app) as base:
        big = b"x" * 10_000_000
        started = time.monotonic()
        assert "demasiado grande" in refused(httpx.post(base + "/api/feedback", content=big,
                                                        timeout=30), 413)

        def chunks():
            for _ in range(10):
                yield b"y" * 1_000_000

        assert "demasiado grande" in refused(httpx.post(base + "/api/feedback",
                                                        content=chunks(), timeout=30), 413)
        assert time.monotonic() - started < 10
        assert httpx.get(base + "/api/ask", params={"q": "hola"}).status_code == 200


def test_a_body_sent_one_byte_a_second_is_cut_while_others_are_answered(site):
    app, _ = site
    with serving(app) as base:
        port = int(base.rsplit(":", 1)[1])
        slow = socket.create_connection(("127.0.0.1", port), timeout=10)
        slow.sendall(b"POST /api/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 100\r\n\r\n{")
        started = time.monotonic()
        answered = httpx.get(base + "/api/ask", params={"q": "¿Qué es el presupuesto?"})
        assert answered.status_code == 200  # the server answers others meanwhile
        reply = b""
        try:
            while b"\r\n\r\n" not in reply and time.monotonic() - started < 8:
                slow.sendall(b" ")
                slow.settimeout(1.0)
                try:
                    reply += slow.recv(4096)
                except TimeoutError:
                    pass
        finally:
            slow.close()
        assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
        assert time.monotonic() - started < 8


def test_a_route_may_wait_for_the_client_after_its_body_as_long_as_it_likes():
    # A streaming reply to a POST (MCP) listens for the client leaving: not a slow body.
    import asyncio

    from askposts.serving.bodies import BodyLimit

    async def app(scope, receive, send):
        assert (await receive())["body"] == b"{}"
        listened = await receive()  # the client leaving, long after the body
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": listened["type"].encode()})

    async def run():
        sent, messages = [], [{"type": "http.request", "body": b"{}", "more_body": False}]

        async def receive():
            if messages:
                return messages.pop()
            await asyncio.sleep(0.3)  # longer than the wait below
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/mcp", "headers": []}
        await BodyLimit(app, most=100, wait=0.1)(scope, receive, send)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["status"] == 200 and sent[1]["body"] == b"http.disconnect"
