"""Several worker processes, one chat (``serving.affinity``): the chat's sessions live in the
worker that owns them, every other worker passes the chat to it and answers the API itself."""
import asyncio
import os
import subprocess
import sys
import time

import httpx
import pytest
from conftest import free_port
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from askposts.serving.affinity import Affinity, claim


def test_one_process_at_a_time_holds_the_chat(tmp_path):
    first = claim(tmp_path / "chat.lock")
    assert first is not None
    assert claim(tmp_path / "chat.lock") is None  # taken
    first.close()  # the owner died: the next worker to start takes it
    assert claim(tmp_path / "chat.lock") is not None


def _echo(name):
    async def echo(request):
        return JSONResponse({"worker": name, "client": request.client.host,
                             "path": request.url.path, "query": request.url.query,
                             "body": (await request.body()).decode(),
                             "host": request.headers["host"]})
    return Starlette(routes=[Route("/{rest:path}", echo, methods=["GET", "POST"])])


def test_a_worker_passes_the_chat_to_the_owner_and_answers_the_api_itself(tmp_path):
    async def scenario():
        owner = Affinity(_echo("owner"), tmp_path, "arrancando", claim(tmp_path / "chat.lock"))
        other = Affinity(_echo("other"), tmp_path, "<p>El chat está arrancando</p>",
                         claim(tmp_path / "chat.lock"))
        assert owner.owner and not other.owner
        owner._serve_privately()
        for _ in range(100):
            if owner._server.started:
                break
            await asyncio.sleep(0.05)
        visitor = httpx.ASGITransport(app=other, client=("203.0.113.9", 5000))
        async with httpx.AsyncClient(transport=visitor, base_url="http://sitio.org") as web:
            chat = (await web.post("/gradio_api/queue/join?x=1", content="{}")).json()
            api = (await web.get("/api/ask", params={"q": "hola"})).json()
            health = (await web.get("/api/health")).json()
            await owner._close()  # the owner is gone: the chat says it is starting
            gone = await web.get("/")
            health_alone = (await web.get("/api/health")).json()
        return chat, api, health, gone, health_alone

    chat, api, health, gone, health_alone = asyncio.run(scenario())
    # The visitor's address and host reach the owner (its login limits count per visitor).
    assert chat == {"worker": "owner", "client": "203.0.113.9", "path": "/gradio_api/queue/join",
                    "query": "x=1", "body": "{}", "host": "sitio.org"}
    assert api["worker"] == "other"  # the API is stateless: answered where it lands
    assert health["worker"] == "owner"  # chat_ready is the owner's
    assert gone.status_code == 503 and "arrancando" in gone.text
    assert gone.headers["retry-after"] == "2"
    assert health_alone["worker"] == "other"  # health still answers without the owner


@pytest.mark.slow
def test_with_two_workers_every_chat_question_is_answered(corpus_index):
    """Measured before: 7 of 12 questions failed, and a client could wait for ever."""
    from gradio_client import Client

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "askposts.cli", "serve", "--index", str(corpus_index.folder.path),
         "--port", str(port), "--workers", "2"],
        env=dict(os.environ, HF_HUB_OFFLINE="1"), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 240
        while time.time() < deadline:
            try:
                if httpx.get(url + "/api/health", timeout=2).json().get("chat_ready"):
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        else:
            pytest.fail("the server did not start: " + proc.stderr.read()[-2000:])
        for i in range(8):  # each a new visitor: a new session, new connections
            client = Client(url + "/", verbose=False)
            box, html = client.predict(f"¿Qué es la justicia abierta? ({i})", [], "", "",
                                       api_name="/preguntar")
            assert box == "" and "[1]" in html, html[:300]  # answered, with a citation
        for i in range(10):
            r = httpx.get(url + "/api/ask", params={"q": f"datos abiertos {i}"}, timeout=30)
            assert r.status_code == 200 and r.json()["grade"] in ("answer", "near", "none")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
