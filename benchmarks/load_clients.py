"""The simulated people and scripts of ``bench_load.py``: who they are and how they behave.

Every simulated person has a loopback address of its own (127.0.1.1, 127.0.1.2, ...; on Linux
a client socket may bind any 127.x.y.z), because the server gives each address its own share.
Two client models:
- *polite*: after a 429 or 503 it waits as ``Retry-After`` says, then sends the same question
  again (as a person does); after an answer it asks a new question at once;
- *script*: sends again at once, whatever it was told, over many connections of one address.
"""
from __future__ import annotations

import asyncio
import collections
import multiprocessing
import os
import statistics
import time
from pathlib import Path

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=30)


def address(i: int) -> str:
    """The loopback address of simulated person ``i`` (0, 1, ...)."""
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def _wait_of(response: aiohttp.ClientResponse) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


async def ask_once(session, url: str, q: str) -> tuple[str, float, float]:
    """(status or error kind, seconds taken, seconds it was told to wait)."""
    started = time.monotonic()
    try:
        async with session.get(url, params={"q": q}) as r:
            await r.read()
            told = _wait_of(r) if r.status in (429, 503) else 0.0
            return str(r.status), time.monotonic() - started, told
    except asyncio.TimeoutError:
        return "timeout", time.monotonic() - started, 0.0
    except aiohttp.ClientError as exc:
        return type(exc).__name__, time.monotonic() - started, 0.0


async def polite(base: str, route: str, i: int, questions, stop: float, out: list) -> None:
    """One person on its own address: a new question once answered; when refused, waits as
    told and sends it again."""
    connector = aiohttp.TCPConnector(limit=1, local_addr=(address(i), 0))
    async with aiohttp.ClientSession(base, connector=connector, timeout=TIMEOUT) as session:
        q = questions.popleft()
        while time.monotonic() < stop:
            kind, took, told = await ask_once(session, route, q)
            out.append((kind, took))
            if told:
                await asyncio.sleep(min(told, max(0.0, stop - time.monotonic())))
            else:
                q = questions.popleft()


async def script(base: str, route: str, source: str, connections: int, questions: list,
                 stop: float) -> collections.Counter:
    """A script on one address, ``connections`` at once, each resending the moment a reply
    comes (what it is told makes no difference to it)."""
    counts: collections.Counter = collections.Counter()
    connector = aiohttp.TCPConnector(limit=connections, local_addr=(source, 0))
    async with aiohttp.ClientSession(base, connector=connector, timeout=TIMEOUT) as session:
        async def loop(k: int) -> None:
            n = 0
            while time.monotonic() < stop:
                kind, _, _ = await ask_once(session, route, questions[(k + n * connections)
                                                                    % len(questions)])
                counts[kind] += 1
                n += 1
        await asyncio.gather(*(loop(k) for k in range(connections)))
    return counts


def _script_process(base, route, source, connections, questions, seconds, pipe) -> None:
    pipe.send(dict(asyncio.run(script(base, route, source, connections, questions,
                                      time.monotonic() + seconds))))


class ScriptProcess:
    """A ``script`` in a process of its own, so that its event loop does not slow down the
    polite people's clocks (the machine's cores are shared all the same, as in real life)."""

    def __init__(self, base: str, route: str, source: str, connections: int,
                 questions: list, seconds: float) -> None:
        ctx = multiprocessing.get_context("fork")
        self._out, into = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_script_process, daemon=True, args=(
            base, route, source, connections, questions, seconds, into))
        self._proc.start()

    def counts(self) -> dict:
        got = self._out.recv()
        self._proc.join(10)
        return got


async def polite_phase(base: str, route: str, users: int, seconds: float, questions,
                       first: int = 0) -> list:
    """``users`` polite people (addresses ``first`` ...) for ``seconds``."""
    out: list = []
    stop = time.monotonic() + seconds
    await asyncio.gather(*(polite(base, route, first + i, questions, stop, out)
                           for i in range(users)))
    return out


async def impatient_phase(base: str, route: str, users: int, seconds: float,
                          questions: list, first: int = 0) -> collections.Counter:
    """``users`` scripts on addresses of their own, one connection each, resending at once."""
    stop = time.monotonic() + seconds
    every = await asyncio.gather(*(script(base, route, address(first + i), 1,
                                          questions[i::users], stop) for i in range(users)))
    return sum(every, collections.Counter())


def report(name: str, out: list, seconds: float) -> float:
    """Answers a second of a phase, printed with its refusals and latencies."""
    kinds = collections.Counter(k for k, _ in out)
    ok = [t for k, t in out if k == "200"]
    every = [t for _, t in out]
    print(f"{name}: {len(out)} requests, {len(ok) / seconds:.1f} answered/s, "
          f"by kind {dict(kinds)}; latency of 200s p50 {1000 * pct(ok, .5):.0f} ms, "
          f"p95 {1000 * pct(ok, .95):.0f} ms; slowest response {1000 * max(every):.0f} ms; "
          f"over 3 s: {sum(t > 3 for t in every)}")
    return len(ok) / seconds


class CPU:
    """CPU seconds used by a set of processes between two readings (``/proc/PID/stat``)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.started, self.used, self.machine = time.monotonic(), self._now(), _machine()

    def _now(self) -> float:
        ticks = 0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def cores(self) -> float:
        """Cores kept busy on average since the start."""
        return (self._now() - self.used) / (time.monotonic() - self.started)

    def stolen(self) -> float:
        """Share of the machine's CPU time taken by the host for other machines since the
        start (``steal`` in ``/proc/stat``): a noisy run shows here, not in the figures."""
        before, now = self.machine, _machine()
        total = sum(now) - sum(before)
        return (now[7] - before[7]) / total if total else 0.0

    def summary(self) -> str:
        return f"server CPU {self.cores():.2f} cores (stolen by the host: {self.stolen():.0%})"


def _machine() -> list[int]:
    """The machine's CPU times by kind (user, nice, system, idle, iowait, irq, softirq,
    steal, ...)."""
    return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]


class Repeating:
    """The old mode: the same questions over and over (what the answer cache serves)."""

    def __init__(self, questions: list[str]) -> None:
        self.questions, self.i = questions, 0

    def popleft(self) -> str:
        self.i += 7
        return self.questions[self.i % len(self.questions)]


async def burst(base, questions):
    """Every user asks one new question at the same moment, each from its own address:
    nothing is cached for them."""
    async def one(i, q):
        connector = aiohttp.TCPConnector(limit=1, local_addr=(address(i), 0))
        async with aiohttp.ClientSession(base, connector=connector, timeout=TIMEOUT) as s:
            kind, took, _ = await ask_once(s, "/api/ask", q)
            return kind, took

    return await asyncio.gather(*(one(i, q) for i, q in enumerate(questions)))


def cold_bursts(base, fresh, rounds=3, users=50):
    """New questions in bursts: ``users`` different questions at the same moment."""
    fresh = list(fresh)
    for r in range(rounds):
        asked = fresh[:users]
        del fresh[:users]
        started = time.monotonic()
        out = asyncio.run(burst(base, asked))
        kinds = collections.Counter(k for k, _ in out)
        print(f"cold burst {r + 1}, {users} new questions at once: {dict(kinds)}; "
              f"all done in {time.monotonic() - started:.2f} s, "
              f"p50 {1000 * pct([t for _, t in out], .5):.0f} ms")


def chat_clients(base, questions, clients=4, each=5):
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    def run(k):
        client = Client(base + "/", verbose=False)
        times = []
        for q in questions[k * each:(k + 1) * each]:
            s = time.monotonic()
            client.predict(q, [], "", "", api_name="/preguntar")
            times.append(time.monotonic() - s)
        return times

    with ThreadPoolExecutor(clients) as pool:
        times = [t for ts in pool.map(run, range(clients)) for t in ts]
    print(f"chat via gradio_client: {clients} clients x {each} questions, "
          f"p50 {1000 * statistics.median(times):.0f} ms, max {1000 * max(times):.0f} ms")
