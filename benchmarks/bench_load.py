"""Load benchmark (not a test): many concurrent users against `askposts serve`, on loopback.

    make bench-load        (installs the bench extra: aiohttp for the clients)
    .venv/bin/python benchmarks/bench_load.py [--index DIR] [--content CORPUS] [--quick]

Starts the server in a subprocess (the real corpus, indexed first if needed), then runs:
50 users for 40 s on /api/ask, 50 users for 40 s on /api/search, 200 users for 15 s on
/api/ask (overload), and a few gradio_client users of the chat endpoint.

Every request carries a question the server has never seen (real visitors rarely repeat each
other's words): the public SQuAD-es questions and the site's labelled ones, each with one of six
everyday openings («Hola, », «Una consulta: »...), shuffled once; each phase takes its own
slice, and a user moves to a new question only once the last one was answered (a refused one
is sent again, as people do). ``--cached`` adds the old figure: 50 users sending the dev
questions over and over, which mostly measures the answer cache.

Then cold bursts: 50 users each ask one new question at the same moment (three times). Prints requests/s, errors by kind,
p50/p95/max latency and the server's peak RSS (VmHWM), and where the server's memory goes.
``--workers 2`` serves with two processes.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx

HERE = Path(__file__).resolve().parent.parent
SHARED = HERE.parent / "shared"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def serving_pids(pid: int) -> list[int]:
    """The processes that serve: the server itself, or with --workers its worker processes
    (uvicorn's supervisor only watches them; the resource tracker serves nothing)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    workers = [int(c) for c in children
               if "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text()]
    return workers or [pid]


def memory(pid: int, now: bool = True) -> str:
    """RSS of the heaviest serving process (each worker is a whole process)."""
    pids = serving_pids(pid)
    worst = max(pids, key=lambda p: rss_mb(p, "VmHWM"))
    what = "" if len(pids) == 1 else f" of the heaviest of {len(pids)} workers"
    peak = f", peak {rss_mb(worst, 'VmHWM'):.0f} MB" if now else ""
    return (f"RSS{what} {rss_mb(worst):.0f} MB{peak} (private {rss_mb(worst, 'RssAnon'):.0f} MB, "
            f"mapped files shared between workers {rss_mb(worst, 'RssFile'):.0f} MB)")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


OPENINGS = ("Hola, ", "Una consulta: ", "Buenas tardes, ", "Disculpe, ", "Quisiera saber: ",
            "Buen día, ")


def new_questions(args) -> collections.deque:
    """Questions nobody asked yet: SQuAD-es and site questions with everyday openings."""
    import random

    data = json.loads(Path(args.squad).read_text(encoding="utf-8"))["data"]
    pool = [qa["question"].strip() for art in data for par in art["paragraphs"]
            for qa in par["qas"]]
    for name in ("dev.jsonl", "train.jsonl"):
        path = Path(args.questions).with_name(name)
        if path.is_file():
            pool += [json.loads(x)["question"] for x in path.read_text(
                encoding="utf-8").splitlines() if x.strip()]
    asked = [o + q for o in OPENINGS for q in dict.fromkeys(pool)]
    random.Random(7).shuffle(asked)
    return collections.deque(asked)


class Repeating:
    """The old mode: the same questions over and over (what the answer cache serves)."""

    def __init__(self, questions: list[str]) -> None:
        self.questions, self.i = questions, 0

    def popleft(self) -> str:
        self.i += 7
        return self.questions[self.i % len(self.questions)]


async def user(session, url, questions, stop, out):
    q = questions.popleft()
    while time.monotonic() < stop:
        started = time.monotonic()
        try:
            async with session.get(url, params={"q": q}) as r:
                await r.read()
                kind = str(r.status)
        except asyncio.TimeoutError:
            kind = "timeout"
        except aiohttp.ClientError as exc:
            kind = type(exc).__name__
        out.append((kind, time.monotonic() - started))
        if kind == "503":
            await asyncio.sleep(0.2)  # a polite client honours Retry-After, a little
        else:
            q = questions.popleft()  # answered (or failed): the next person's question


async def phase(base, route, users, seconds, questions):
    """``users`` clients, one connection each, for ``seconds``. aiohttp rather than httpx:
    with 200 users httpx's client took a whole core and measured itself, not the server."""
    out: list[tuple[str, float]] = []
    connector = aiohttp.TCPConnector(limit=users)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(user(session, route, questions, stop, out)
                               for _ in range(users)))
    return out


def report(name, out, seconds):
    kinds = collections.Counter(k for k, _ in out)
    ok = [t for k, t in out if k == "200"]
    every = [t for _, t in out]
    print(f"{name}: {len(out)} requests, {len(ok) / seconds:.1f} answered/s, "
          f"by kind {dict(kinds)}; latency of 200s p50 {1000 * pct(ok, .5):.0f} ms, "
          f"p95 {1000 * pct(ok, .95):.0f} ms; slowest response {1000 * max(every):.0f} ms; "
          f"over 3 s: {sum(t > 3 for t in every)}")
    return len(ok) / seconds


async def burst(base, questions):
    """Every user asks one new question at the same moment: nothing is cached for them."""
    async def one(session, q):
        started = time.monotonic()
        try:
            async with session.get("/api/ask", params={"q": q}) as r:
                await r.read()
                return str(r.status), time.monotonic() - started
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
            return type(exc).__name__, time.monotonic() - started

    connector = aiohttp.TCPConnector(limit=len(questions))
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:
        return await asyncio.gather(*(one(session, q) for q in questions))


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


def start_server(index: str, port: int, workers: int, env: dict | None = None
                 ) -> subprocess.Popen:
    env = dict(os.environ, HF_HUB_OFFLINE="1", **(env or {}))
    cmd = [str(HERE / ".venv/bin/askposts"), "serve", "--index", index, "--port", str(port),
           "--site-url", "https://redciudadana.org"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def wait_ready(proc, base, started) -> float:
    """Seconds from ``started`` to the first answer; returns once the chat is up too."""
    while True:
        try:
            if httpx.get(base + "/api/ask", params={"q": "hola"}, timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() - started > 120:
            sys.exit("the server did not start: " + proc.stderr.read()[-2000:])
        time.sleep(0.5)
    answered = time.monotonic() - started
    while not httpx.get(base + "/api/health", timeout=5).json()["chat_ready"]:
        if time.monotonic() - started > 120:  # the chat is mounted after the API answers
            sys.exit("the chat did not start: " + proc.stderr.read()[-2000:])
        time.sleep(0.2)
    return answered


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index")
    ap.add_argument("--content", default=str(SHARED / "corpus/redciudadana"))
    ap.add_argument("--questions", default=str(SHARED / "eval/dev.jsonl"))
    ap.add_argument("--squad", default=str(SHARED / "eval/squad-es-v2/tune.json"),
                    help="public questions: the new questions of every phase")
    ap.add_argument("--quick", action="store_true", help="10 s phases (a smoke run)")
    ap.add_argument("--cached", action="store_true",
                    help="also the old figure: the dev questions over and over")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--no-bursts", action="store_true", help="skip the cold bursts")
    args = ap.parse_args()
    questions = [json.loads(x)["question"] for x in Path(args.questions).read_text(
        encoding="utf-8").splitlines() if x.strip()]
    index = args.index or tempfile.mkdtemp(prefix="bench-load-")
    subprocess.run([str(HERE / ".venv/bin/askposts"), "index", args.content, "--index", index,
                    "--site-url", "https://redciudadana.org"], check=False,
                   stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    proc = start_server(index, port, args.workers)
    fresh = new_questions(args)
    try:
        answered = wait_ready(proc, base, started)
        print(f"app start to first answer: {answered:.1f} s (/api/ask); to the chat page "
              f"ready: {time.monotonic() - started:.1f} s; "
              f"after start: {memory(proc.pid, now=False)}")
        long, short = (10, 5) if args.quick else (40, 15)
        print(f"new questions, {args.workers} worker(s):")
        ask = report("/api/ask, 50 users", asyncio.run(
            phase(base, "/api/ask", 50, long, fresh)), long)
        search = report("/api/search, 50 users", asyncio.run(
            phase(base, "/api/search", 50, long, fresh)), long)
        print(f"ask throughput / search throughput: {ask / search:.2f}")
        flood = report("/api/ask, 200 users (overload)", asyncio.run(
            phase(base, "/api/ask", 200, short, fresh)), short)
        print(f"overload answers/s / 50-user answers/s: {flood / ask:.2f}")
        if args.cached:
            report("cached: /api/ask, 50 users, dev questions over and over", asyncio.run(
                phase(base, "/api/ask", 50, long, Repeating(questions))), long)
        chat_clients(base, [fresh.popleft() for _ in range(20)])
        t = time.monotonic()
        httpx.get(base + "/", timeout=30)
        print(f"chat page right after the overload: {1000 * (time.monotonic() - t):.0f} ms")
        print(f"server now: {memory(proc.pid)}")
        if not args.no_bursts:
            cold_bursts(base, [fresh.popleft() for _ in range(150)])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    memory_parts(index)


def memory_parts(index: str) -> None:
    """Where a serving process's memory goes: measured step by step in a fresh process."""
    code = """
import os, sys
sys.path.insert(0, {src!r})
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'): return int(line.split()[1]) / 1024
base = rss()
import torch, tokenizers; libs = rss()
from askposts import Settings, open_index
from askposts.embedding.embedder import load_embedder
s = Settings.load(site_url='https://redciudadana.org')
e = load_embedder(s); e.embed_query('hola'); model = rss()
idx = open_index({index!r}, s, e); idx.ask('hola'); index = rss()
import gradio, fastapi
from askposts.serving.app import create_app
create_app(idx); web = rss()
print(f"memory by part: python {{base:.0f}} MB, torch {{libs - base:.0f}} MB, "
      f"encoder ({{type(e).__name__}}, {{e.precision}}; tokenizer and weights) "
      f"{{model - libs:.0f}} MB, index {{index - model:.0f}} MB, "
      f"web stack (gradio + fastapi) {{web - index:.0f}} MB; total {{web:.0f}} MB; "
      f"sentence-transformers loaded: {{'sentence_transformers' in sys.modules}}")
"""
    subprocess.run([str(HERE / ".venv/bin/python"), "-c",
                    code.format(src=str(HERE / "src"), index=index)],
                   check=False)


if __name__ == "__main__":
    main()
