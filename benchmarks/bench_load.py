"""Load benchmark (not a test): many concurrent users against `askposts serve`, on loopback.

    make bench-load        (installs the bench extra: aiohttp for the clients)
    .venv/bin/python benchmarks/bench_load.py [--index DIR] [--content CORPUS] [--quick]

Starts the server in a subprocess (the real corpus, indexed first if needed), then runs
(``--phases`` picks some; ``--quick``: 10 s and 5 s instead of 40 s and 15 s):
- ask: 50 polite users for 40 s on /api/ask (the figure the others are compared with);
- search: the same on /api/search;
- polite: 200 polite clients for 15 s on /api/ask (overload);
- script: 50 polite users beside one script on 127.0.0.2 that resends at once over 200
  connections, for 40 s: the users' answers/s against their figure alone, and the script's;
- impatient: 200 scripts on addresses of their own, each resending at once, for 15 s;
- chat: a few gradio_client users of the chat endpoint; bursts: see below.
Each simulated person has its own loopback address (the server gives each address its own
share); the client models are in ``load_clients.py``. The server's CPU (all its processes) is
printed for the phases where refusals could eat it.

Every request carries a question the server has never seen (real visitors rarely repeat each
other's words): the public SQuAD-es questions and the site's labelled ones, each with one of six
everyday openings («Hola, », «Una consulta: »...), shuffled once; each phase takes its own
slice, and a user moves to a new question only once the last one was answered (a refused one
is sent again after the wait it was told, as people do). ``--cached`` adds the old figure: 50 users sending the dev
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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from load_clients import (
    CPU,
    Repeating,
    ScriptProcess,
    chat_clients,
    cold_bursts,
    impatient_phase,
    polite_phase,
    report,
)

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


PHASES = ("ask", "search", "polite", "script", "impatient", "chat", "bursts")


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
    ap.add_argument("--src", help="serve the askposts of another checkout's src/ (a before "
                                  "and after in one sitting)")
    ap.add_argument("--phases", default=",".join(PHASES),
                    help="which phases, comma-separated: " + ", ".join(PHASES))
    args = ap.parse_args()
    phases = set(args.phases.split(","))
    questions = [json.loads(x)["question"] for x in Path(args.questions).read_text(
        encoding="utf-8").splitlines() if x.strip()]
    index = args.index or tempfile.mkdtemp(prefix="bench-load-")
    subprocess.run([str(HERE / ".venv/bin/askposts"), "index", args.content, "--index", index,
                    "--site-url", "https://redciudadana.org"], check=False,
                   stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    proc = start_server(index, port, args.workers,
                        {"PYTHONPATH": str(Path(args.src).resolve())} if args.src else None)
    fresh = new_questions(args)
    try:
        answered = wait_ready(proc, base, started)
        print(f"app start to first answer: {answered:.1f} s (/api/ask); to the chat page "
              f"ready: {time.monotonic() - started:.1f} s; "
              f"after start: {memory(proc.pid, now=False)}")
        long, short = (10, 5) if args.quick else (40, 15)
        print(f"new questions, {args.workers} worker(s); each person on its own loopback "
              f"address; 'polite': waits as Retry-After says, 'script': resends at once")
        run_phases(base, proc.pid, phases, fresh, long, short, args.cached and questions)
        print(f"server now: {memory(proc.pid)}")
        if "bursts" in phases:
            cold_bursts(base, [fresh.popleft() for _ in range(150)])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    memory_parts(index)


def run_phases(base, pid, phases, fresh, long, short, cached) -> None:
    """The phases asked for; the 50-user /api/ask figure is what the others compare with.
    Each phase has addresses of its own: a person refused at the end of one phase is not
    the next phase's newcomer."""
    ask = None
    pids = serving_pids(pid)
    if "ask" in phases or "polite" in phases or "script" in phases:
        cpu = CPU(pids)
        ask = report("/api/ask, 50 polite users", asyncio.run(
            polite_phase(base, "/api/ask", 50, long, fresh)), long)
        print(f"  {cpu.summary()}")
    if "search" in phases:
        search = report("/api/search, 50 polite users", asyncio.run(
            polite_phase(base, "/api/search", 50, long, fresh, first=50)), long)
        print(f"ask throughput / search throughput: {ask / search:.2f}")
    if "polite" in phases:
        cpu = CPU(pids)
        flood = report("/api/ask, 200 polite clients (overload)", asyncio.run(
            polite_phase(base, "/api/ask", 200, short, fresh, first=100)), short)
        print(f"  200 polite clients answers/s / 50-user answers/s: {flood / ask:.2f}; "
              f"{cpu.summary()}")
    if "script" in phases:
        aggressive(base, pids, fresh, long, ask)
    if "impatient" in phases:
        cpu = CPU(pids)
        got = asyncio.run(impatient_phase(base, "/api/ask", 200, short,
                                          [fresh.popleft() for _ in range(4000)], first=400))
        print(f"/api/ask, 200 scripts on addresses of their own, each resending at once: "
              f"{sum(got.values())} requests, {got.get('200', 0) / short:.1f} answered/s, "
              f"by kind {dict(got)}; {cpu.summary()}")
    if cached:
        report("cached: /api/ask, 50 users, dev questions over and over", asyncio.run(
            polite_phase(base, "/api/ask", 50, long, Repeating(cached), first=600)), long)
    if "chat" in phases:
        chat_clients(base, [fresh.popleft() for _ in range(20)])
        t = time.monotonic()
        httpx.get(base + "/", timeout=30)
        print(f"chat page after the phases: {1000 * (time.monotonic() - t):.0f} ms")


def aggressive(base, pids, fresh, seconds, alone) -> None:
    """50 polite users beside one script on 127.0.0.2 that resends at once over 200
    connections: what the users keep, and what the script gets."""
    cpu = CPU(pids)
    bot = ScriptProcess(base, "/api/ask", "127.0.0.2", 200,
                        [fresh.popleft() for _ in range(3000)], seconds)
    users = report("/api/ask, 50 polite users beside a script (200 connections, 127.0.0.2)",
                   asyncio.run(polite_phase(base, "/api/ask", 50, seconds, fresh, first=300)),
                   seconds)
    got = bot.counts()
    print(f"  the script: {sum(got.values())} requests, by kind {got}; {cpu.summary()}")
    print(f"  users' answers/s beside the script / alone: {users / alone:.2f}")


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
