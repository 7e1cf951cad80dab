"""Fair admission per client: a rate and a cap on questions in flight for each address, shared
by the workers, decided at the front door; one client's flood leaves the others answered."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import serving
from fastapi.testclient import TestClient

from askposts import Index, Settings
from askposts.serving.admission import STALE, Admission, TooMany, client_key
from askposts.serving.app import create_site
from askposts.serving.chat import make_chat_handler
from askposts.settings import SettingsError

SRC = Path(__file__).resolve().parent.parent / "src"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_burst_then_its_rate_and_is_told_how_long_to_wait():
    clock = Clock()
    door = Admission(rate=2.0, burst=3, in_flight=8, clock=clock)
    for _ in range(3):
        verdict = door.admit("198.51.100.7")
        assert verdict.admitted
        door.done(verdict.lease)
    refused = door.admit("198.51.100.7")
    assert not refused.admitted and not refused.early and refused.retry_after == 1
    assert door.admit("198.51.100.8").admitted  # another client is not affected
    clock.now += 0.5  # back before the second it was told: early, told what is left
    early = door.admit("198.51.100.7")
    assert not early.admitted and early.early and early.wait == pytest.approx(0.5)
    clock.now += 0.5  # back when told: a token per half second has come back, no more
    assert [door.admit("198.51.100.7").admitted for _ in range(3)] == [True, True, False]


def test_questions_in_flight_are_capped_and_a_lease_left_by_a_dead_worker_expires():
    clock = Clock()
    door = Admission(rate=100.0, burst=100, in_flight=2, clock=clock)
    first, second = door.admit("c"), door.admit("c")
    assert first.admitted and second.admitted
    third = door.admit("c")
    assert not third.admitted and third.retry_after == 1
    door.done(first.lease)
    clock.now += 1
    assert door.admit("c").admitted  # a lease came back
    assert not door.admit("c").admitted  # second and this one are in flight
    clock.now += STALE + 2  # nobody gave them back (a worker died): they no longer count
    assert door.admit("c").admitted


def test_the_told_wait_of_a_503_makes_an_early_return_early():
    clock = Clock()
    door = Admission(rate=100.0, burst=100, in_flight=4, clock=clock)
    door.told("c", 4)
    clock.now += 3
    verdict = door.admit("c")
    assert verdict.early and verdict.wait == pytest.approx(1.0)
    clock.now += 1
    assert door.admit("c").admitted


def test_ipv6_clients_are_their_64_and_mapped_ipv4_is_ipv4():
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff:1") == "2001:db8::/64"
    assert client_key("2001:db8:0:1::1") != client_key("2001:db8::1")
    assert client_key("::ffff:192.0.2.1") == client_key("192.0.2.1") == "192.0.2.1"
    clock = Clock()
    door = Admission(rate=1.0, burst=1, in_flight=4, clock=clock)
    assert door.admit("2001:db8::1").admitted
    assert not door.admit("2001:db8::2").admitted  # same machine, another address


def test_workers_share_one_table_that_holds_no_address(tmp_path):
    table = tmp_path / "clients.bin"
    door = Admission(rate=0.01, burst=5, in_flight=8, path=table)
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from askposts.serving.admission import Admission\n"
            "door = Admission(rate=0.01, burst=5, in_flight=8, path=%r)\n"
            "print(sum(door.admit('203.0.113.77').admitted for _ in range(3)))") % (
        str(SRC), str(table))
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert other.stdout.strip() == "3"  # another process, another worker
    assert [door.admit("203.0.113.77").admitted for _ in range(3)] == [True, True, False]
    assert b"203.0.113.77" not in table.read_bytes()
    # 200 clients asking six times each from eight threads: exactly five each (the burst)
    # get in; no update is lost between threads.
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda i: door.admit(f"192.0.2.{i % 200}").admitted, range(1200)))
    assert sum(got) == 1000


def test_settings_refuse_a_proxy_that_is_not_an_address_and_too_many_in_flight():
    with pytest.raises(SettingsError, match="trusted_proxies"):
        Settings.load(config="/nonexistent", env={}, trusted_proxies="nginx")
    with pytest.raises(SettingsError, match="client_in_flight"):
        Settings.load(config="/nonexistent", env={}, client_in_flight=9)
    s = Settings.load(config="/nonexistent",
                      env={"ASKPOSTS_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"})
    assert s.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")


@pytest.fixture
def strict(fake_index, tmp_path):
    """A site whose clients may ask one question a second, with nothing saved up."""
    def make(**changes):
        settings = dataclasses.replace(fake_index.settings, **{
            "client_rate": 1.0, "client_burst": 1, "question_log": False, **changes})
        folder = tmp_path / "index"
        if not folder.exists():
            shutil.copytree(fake_index.folder.path, folder,
                            ignore=shutil.ignore_patterns("*.sqlite*", "LOCK"))
        return create_site(Index(folder, settings, fake_index.embedder))
    return make


def test_a_client_over_its_rate_gets_429_in_spanish_and_others_are_answered(strict):
    app = strict()
    eager = TestClient(app, client=("198.51.100.1", 5000))
    other = TestClient(app, client=("198.51.100.2", 5000))
    assert eager.get("/api/ask", params={"q": "¿Qué es el presupuesto?"}).status_code == 200
    r = eager.get("/api/search", params={"q": "presupuesto"})
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert "Espere 1 s" in r.json()["error"]
    assert other.get("/api/search", params={"q": "presupuesto"}).status_code == 200
    assert eager.post("/api/feedback", json={}).status_code == 429  # opinions count too


def test_the_forwarded_address_counts_only_from_a_trusted_proxy(strict):
    q = {"q": "¿Qué es el presupuesto?"}
    behind = TestClient(strict(trusted_proxies=("127.0.0.1",)), client=("127.0.0.1", 1))
    for visitor in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        # A spoofed first entry is ignored: the proxy appends who really called.
        r = behind.get("/api/ask", params=q,
                       headers={"X-Forwarded-For": f"10.9.9.9, {visitor}"})
        assert r.status_code == 200, r.text
    assert behind.get("/api/ask", params=q,
                      headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    direct = TestClient(strict(), client=("127.0.0.1", 1))  # no proxy trusted: one client
    codes = [direct.get("/api/ask", params=q, headers={"X-Forwarded-For": f"198.51.100.{i}"})
             .status_code for i in range(1, 4)]
    assert codes == [200, 429, 429]


def test_a_client_that_comes_back_early_waits_while_others_are_answered(strict):
    app = strict()
    with serving(app) as base:
        own = [httpx.Client(base_url=base, timeout=10, transport=httpx.HTTPTransport(
            local_address=f"127.0.1.{k}")) for k in (1, 2)]
        hurried, calm = own
        q = {"q": "¿Qué es el presupuesto?"}
        assert hurried.get("/api/ask", params=q).status_code == 200
        assert hurried.get("/api/ask", params=q).status_code == 429  # told: 1 s
        times: dict[str, float] = {}

        def timed(name, client):
            started = time.monotonic()
            status = client.get("/api/ask", params=q).status_code
            times[name] = time.monotonic() - started
            return status

        early = threading.Thread(target=lambda: times.update(code=timed("early", hurried)))
        early.start()
        time.sleep(0.1)
        assert timed("calm", calm) == 200
        early.join()
        assert times["code"] == 429
        assert 0.7 < times["early"] < 3 and times["calm"] < 0.5
        for client in own:
            client.close()


def test_the_chat_says_how_long_to_wait_and_keeps_the_question(strict):
    app = strict()
    respond = make_chat_handler(app.state.service)

    class Request:
        client = type("Client", (), {"host": "198.51.100.9"})()

    q = "¿Qué es el presupuesto participativo?"
    box, turns, *_ = respond(q, [], [], "", [], None, None, Request())
    assert box == "" and len(turns) == 1
    box, turns, _, _, html = respond(q, turns, [], "", [], None, None, Request())
    assert box == q and len(turns) == 1 and "Espere 1 s" in html
    with pytest.raises(TooMany):
        with app.state.service.admission.question("198.51.100.9"):
            pass


def test_a_refusal_reaches_the_widget_on_another_site_with_its_wait(strict):
    site = "https://redciudadana.org"
    page = TestClient(strict(allowed_origins=(site,)), client=("198.51.100.4", 1))
    q, origin = {"q": "¿Qué es el presupuesto?"}, {"Origin": site}
    assert page.get("/api/ask", params=q, headers=origin).status_code == 200
    r = page.get("/api/ask", params=q, headers=origin)
    assert r.status_code == 429 and r.headers["access-control-allow-origin"] == site
    assert "retry-after" in r.headers["access-control-expose-headers"].lower()


def test_a_proxy_nobody_trusted_is_pointed_out_once(strict, caplog):
    client = TestClient(strict(client_burst=5), client=("127.0.0.1", 1))
    for _ in range(2):
        client.get("/api/ask", params={"q": "hola"}, headers={"X-Forwarded-For": "192.0.2.1"})
    said = [r.getMessage() for r in caplog.records if "trusted_proxies" in r.getMessage()]
    assert len(said) == 1 and "192.0.2.1" not in said[0]


def test_an_early_chat_question_waits_at_the_door_then_goes_in():
    import asyncio

    from askposts.serving.auth import Limiter
    from askposts.serving.door import Guard
    from askposts.serving.gate import Gate

    reached = []

    async def chat(scope, receive, send):
        reached.append(time.monotonic())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    door = Admission(rate=5.0, burst=5, in_flight=4)
    guard = Guard(chat, Limiter(), Gate(2, 2.0), door)
    scope = {"type": "http", "method": "POST", "path": "/gradio_api/queue/join",
             "headers": [], "client": ("198.51.100.3", 1)}

    async def nothing():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def ignore(message):
        pass

    door.told("198.51.100.3", 1)  # the chat said: wait a second
    started = time.monotonic()
    asyncio.run(guard(scope, nothing, ignore))
    assert 0.8 < reached[0] - started < 1.5
    asyncio.run(guard({**scope, "client": ("198.51.100.4", 1)}, nothing, ignore))
    assert reached[1] - reached[0] < 0.3  # anyone else goes straight in


def test_health_counts_the_refusals_of_a_client_share(strict):
    app = strict()
    client = TestClient(app, client=("198.51.100.5", 1))
    for _ in range(3):
        client.get("/api/search", params={"q": "presupuesto"})
    health = TestClient(app).get("/api/health").json()
    assert health["too_many"] == 2 and health["refused"] == 0
