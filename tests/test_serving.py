"""Serving under load: bounded work with polite 503s, threads set once, caches, no files."""
import asyncio
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import SAMPLE
from fastapi.testclient import TestClient

from askposts import build_index
from askposts.caching import LRU
from askposts.questionlog.log import QuestionLog
from askposts.serving.app import create_app
from askposts.serving.gate import BUSY, Busy, Gate
from askposts.serving.http import create_api
from askposts.serving.service import AskService


def test_gate_refuses_quickly_when_full_and_recovers():
    gate = Gate(1, 0.05)
    with gate.slot():
        started = time.monotonic()
        with pytest.raises(Busy, match="muchas personas"):
            with gate.slot():
                pass
        assert time.monotonic() - started < 0.5
        with pytest.raises(Busy):
            asyncio.run(gate.acquire())
    with gate.slot():
        assert gate.in_flight == 1
    assert gate.in_flight == 0 and gate.refused == 2


def test_gate_trusts_its_pace_only_after_several_hand_overs():
    # A rush starts with a batched forward pass: one long gap, then short ones. One long
    # first gap must not turn people away who would be served in time.
    now = [0.0]
    gate = Gate(1, 1.0, queue=50, clock=lambda: now[0], pace_after=3)

    async def rush():
        await gate.acquire()
        waiting = [asyncio.ensure_future(gate.acquire()) for _ in range(5)]
        await asyncio.sleep(0)
        assert gate.waiting == 5
        verdicts = []
        for step in range(4):  # hand-overs at 0, 1, 2 and 3 s: one answer a second
            now[0] = float(step)
            gate.release()
            await asyncio.sleep(0)
            verdicts.append(gate.refuse_now())  # a newcomer behind the ones still waiting
        refused = gate.refused
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        return verdicts, refused, gate.pace

    # 1 and 2 gaps measured: not trusted yet; 3 gaps of 1 s with 1 ahead: 2 s > 1.5 x 1 s.
    assert asyncio.run(rush()) == ([False, False, False, True], 1, pytest.approx(1.0))


def test_gate_refuses_at_once_when_its_pace_says_the_wait_would_be_too_long():
    import queue
    import threading

    now = [0.0]
    gate = Gate(1, 1.0, queue=10, clock=lambda: now[0], pace_after=1)
    entered: queue.Queue = queue.Queue()
    leave = [threading.Event() for _ in range(3)]

    def hold(i):
        with gate.slot():
            entered.put(i)
            leave[i].wait(5)

    held = gate.slot()
    held.__enter__()
    threads = [threading.Thread(target=hold, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
        while gate.waiting < threads.index(t) + 1:  # queue them in order
            time.sleep(0.001)
    held.__exit__(None, None, None)  # hand-over at 0.0
    assert entered.get(timeout=5) == 0 and gate.pace == 0.0
    now[0] = 1.0
    leave[0].set()  # hand-over at 1.0: one answer a second
    assert entered.get(timeout=5) == 1 and gate.pace == pytest.approx(1.0)
    started = time.monotonic()
    with pytest.raises(Busy):  # one ahead: 2 x 1 s, clearly more than 1 s of patience
        with gate.slot():
            pass
    assert time.monotonic() - started < 0.5  # told at once, not after waiting
    leave[1].set()
    leave[2].set()
    for t in threads:
        t.join(5)
    assert gate.pace == 0.0 and gate.in_flight == 0  # the queue emptied: a new rush is new
    with gate.slot():
        assert gate.in_flight == 1


def test_api_answers_503_with_retry_after_when_every_slot_is_taken(fake_index):
    gate = Gate(1, 0.05)
    client = TestClient(create_api(AskService(fake_index, gate)))
    asked = {"q": "¿Cómo funciona el presupuesto participativo en los municipios?"}
    with gate.slot():  # (the fixture's caches are empty: the question must wait)
        r = client.get("/api/ask", params=asked)
    assert r.status_code == 503 and r.json()["error"] == BUSY
    assert int(r.headers["Retry-After"]) >= 1
    assert client.get("/api/ask", params=asked).status_code == 200


def test_concurrent_requests_are_all_served_or_refused_never_lost(fake_index):
    gate = Gate(1, 5.0)  # a tiny budget, a wait long enough for everyone
    client = TestClient(create_api(AskService(fake_index, gate)))
    questions = [f"datos abiertos {i}" for i in range(12)]
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda q: client.get("/api/search", params={"q": q}).status_code,
                              questions))
    assert codes == [200] * 12 and gate.in_flight == 0
    hurried = Gate(1, 0.0)  # no wait at all: the ones that find it busy are told so
    client = TestClient(create_api(AskService(fake_index, hurried)))
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda q: client.get("/api/ask", params={"q": q}).status_code,
                              [f"taller {i}" for i in range(12)]))
    assert set(codes) <= {200, 503} and 200 in codes and hurried.in_flight == 0


def test_the_chat_says_politely_when_busy(fake_index):
    from askposts.serving.chat import make_chat_handler

    gate = Gate(1, 0.05)
    respond = make_chat_handler(AskService(fake_index, gate))
    with gate.slot():  # (the fixture's caches are empty: the question must wait)
        box, turns, asked, _, html = respond("¿Qué es la hackatón?", [], [], "", None, "", "")
    assert box == "¿Qué es la hackatón?" and asked == []  # the question is kept to resend
    assert "muchas personas" in html
    box, turns, asked, _, html = respond("¿Qué es la hackatón?", [], [], "", None, "", "")
    assert box == "" and asked == ["¿Qué es la hackatón?"] and 'class="respuesta"' in html
    assert "muchas personas" not in html


def test_torch_threads_are_set_once_not_per_call(embedder):
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)  # someone else's choice must survive our calls
    try:
        embedder.embed_query("hola")
        embedder.embed_passages(["una frase", "otra frase más larga"])
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_lru_keeps_the_most_recent():
    cache = LRU(2)
    cache.put("a", 1), cache.put("b", 2), cache.get("a"), cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    LRU(0).put("x", 1)


def test_answers_are_cached_until_a_new_generation(tmp_path, settings, embedder):
    site = tmp_path / "site"
    shutil.copytree(SAMPLE, site)
    index = build_index(site, tmp_path / "index", settings, embedder=embedder)
    question = "¿Cuántas personas participaron en el taller de Cobán?"
    first = index.ask(question)
    misses = index._results.misses
    again = index.ask(question)
    assert again == first and index._results.misses == misses  # served from the cache
    again.citations.clear()  # what a caller does with its copy does not reach the cache
    assert index.ask(question).citations
    post = next(site.glob("blogs/*cob*n.md"))
    post.write_text(post.read_text().replace("32 personas", "45 personas"))
    build_index(site, tmp_path / "index", settings, embedder=embedder)
    assert "45 personas" in index.ask(question).text


def test_uploads_and_file_serving_are_closed(fake_index, tmp_path, monkeypatch):
    import uuid

    import gradio

    # A folder of this test's own and a payload nobody else writes: another Gradio process
    # on the machine (a test server, a demo) may write to the shared folder meanwhile.
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    payload = uuid.uuid4().hex.encode() * 100
    client = TestClient(create_app(fake_index))
    for route in ("/gradio_api/upload", "/upload"):
        r = client.post(route, files={"files": ("x.txt", payload, "text/plain")})
        assert r.status_code == 403, route
    for path in ("/gradio_api/file=/etc/passwd", "/gradio_api/file=" + str(SAMPLE)):
        assert client.get(path).status_code == 403
    for folder in (tmp_path / "gradio", Path(gradio.route_utils.DEFAULT_TEMP_DIR)):
        written = [f for f in folder.rglob("*") if f.is_file()] if folder.is_dir() else []
        assert not any(payload in f.read_bytes() for f in written if f.stat().st_size
                       == len(payload)), folder
    assert client.get("/").status_code == 200  # the app itself still loads


def test_waiters_are_served_first_come_first_served_and_woken_not_polled():
    gate = Gate(1, 2.0, queue=3)
    order = []

    async def one(k):
        await gate.acquire()
        order.append(k)
        await asyncio.sleep(0.01)
        gate.release()

    async def main():
        with gate.slot():  # taken: everyone queues
            tasks = [asyncio.create_task(one(k)) for k in range(3)]
            await asyncio.sleep(0.05)
            assert gate.waiting == 3
            with pytest.raises(Busy):  # the queue is full: refused at once
                await gate.acquire()
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order == [0, 1, 2] and gate.in_flight == 0 and gate.waiting == 0
    assert gate.refused == 1


def test_the_api_answers_while_the_chat_is_still_starting(fake_index, tmp_path):
    import threading

    from askposts.serving.app import add_chat, create_site
    from askposts.serving.factory import Staged

    go = threading.Event()

    def complete(site):
        assert go.wait(30)  # Gradio's imports, slowed down at will
        return add_chat(site, fake_index)

    question = {"q": "¿Qué es el presupuesto participativo?"}
    site = create_site(fake_index, QuestionLog(tmp_path / "q.sqlite"))
    with TestClient(Staged(site, complete)) as client:
        assert client.get("/api/ask", params=question).status_code == 200
        page = client.get("/")
        assert page.status_code == 503 and "arrancando" in page.text
        assert page.headers["retry-after"] == "2"
        assert client.get("/api/health").json()["chat_ready"] is False
        go.set()
        deadline = time.monotonic() + 30
        while client.get("/").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/").status_code == 200 and "gradio" in client.get("/").text
        assert client.get("/api/health").json()["chat_ready"] is True
        assert client.get("/gradio_api/upload").status_code == 403  # the guard still holds


def test_a_chat_that_cannot_start_leaves_the_api_answering(fake_index, tmp_path):
    from askposts.serving.app import create_site
    from askposts.serving.factory import Staged

    def broken(_site):
        raise ImportError("gradio roto")

    staged = Staged(create_site(fake_index, QuestionLog(tmp_path / "q.sqlite")), broken)
    with TestClient(staged) as client:
        deadline = time.monotonic() + 10
        while not staged.failed and time.monotonic() < deadline:
            time.sleep(0.01)
        page = client.get("/")
        assert page.status_code == 500 and "no pudo arrancar" in page.text
        assert client.get("/api/search", params={"q": "datos"}).status_code == 200


def test_start_up_warms_the_index_before_serving(fake_index, monkeypatch):
    from askposts.serving.factory import app_for

    asked = []
    monkeypatch.setattr(fake_index, "ask", lambda q, *a, **k: asked.append(q))
    assert app_for(fake_index) is not None and asked == ["hola"]

    def broken(*_a, **_k):
        raise OSError("sin pesos del modelo")

    monkeypatch.setattr(fake_index, "ask", broken)
    with pytest.raises(OSError, match="sin pesos"):  # a broken model stops the start
        app_for(fake_index)
