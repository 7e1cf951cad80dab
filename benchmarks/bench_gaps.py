"""Benchmark (not a test): the staff's question report over a year of a public chat.

    .venv/bin/python benchmarks/bench_gaps.py [--index DIR] [--count 100000]

Fills a question log with ``--count`` questions about 2,000 subjects near the real corpus's
posts (the fixture of tests/test_gaps.py, with the real model's 384-dimension vectors), then
times ``GET /api/questions`` (all questions, and only the unanswered ones) and, meanwhile, how
long a question takes to answer.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests"))  # the log fixture lives with the tests

from fastapi.testclient import TestClient  # noqa: E402
from question_fixture import fill_log  # noqa: E402

from askposts import Settings, build_index, open_index  # noqa: E402
from askposts.serving.http import create_api  # noqa: E402
from askposts.serving.service import AskService  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index")
    ap.add_argument("--content", default=str(HERE.parent / "shared/corpus/redciudadana"))
    ap.add_argument("--count", type=int, default=100_000)
    args = ap.parse_args()
    settings = dataclasses.replace(Settings.load(site_url="https://redciudadana.org"),
                                   staff_token="t")
    index = (open_index(args.index, settings) if args.index else
             build_index(args.content, tempfile.mkdtemp(prefix="bench-gaps-"), settings))
    started = time.perf_counter()
    qlog = fill_log(Path(tempfile.mkdtemp()) / "questions.sqlite",
                    index.generation.vectors.vectors(), count=args.count)
    print(f"log of {args.count} questions written in {time.perf_counter() - started:.1f} s")
    client = TestClient(create_api(AskService(index, qlog=qlog)))
    auth = {"Authorization": "Bearer t"}
    index.ask("¿Qué es la justicia abierta?")  # the model loaded: time the report, not that
    t = time.perf_counter()
    client.get("/api/questions", headers=auth)
    print(f"/api/questions alone: {time.perf_counter() - t:.2f} s")
    for label, params in (("all questions", {}), ("unanswered only", {"unanswered": "1"})):
        asks: list[float] = []
        done = threading.Event()

        def ask_meanwhile(times=asks, stop=done):  # answering must not stall meanwhile
            i = 0
            while not stop.is_set():
                t = time.perf_counter()
                index.ask(f"¿Qué proyectos de datos abiertos hubo en {2015 + i % 10}? {i}")
                times.append(time.perf_counter() - t)
                i += 1

        worker = threading.Thread(target=ask_meanwhile)
        worker.start()
        t = time.perf_counter()
        r = client.get("/api/questions", params=params, headers=auth)
        took = time.perf_counter() - t
        done.set()
        worker.join()
        body = r.json()
        slowest = max(asks) * 1000 if asks else float("nan")
        print(f"/api/questions ({label}): {took:.2f} s, {body['questions']} questions in "
              f"{len(body['groups'])} groups; meanwhile {len(asks)} answers, slowest "
              f"{slowest:.0f} ms")
    summary(client, auth, qlog)


def summary(client, auth, qlog) -> None:
    """The staff summary: its groups prepared as a server does at start (last 30 days), then
    that period through the API and the tab, and another period the first time; the counts
    checked against a direct count."""
    import sqlite3

    from askposts.serving.insight import period
    from askposts.serving.staff_summary import overview_html

    insight = client.app.state.insight
    t = time.perf_counter()
    insight.prepare()
    print(f"summary prepared at start (last 30 days, in the background): "
          f"{time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    got = client.get("/api/summary", headers=auth).json()
    print(f"/api/summary, last 30 days: {time.perf_counter() - t:.2f} s, "
          f"{got['questions']} questions, {len(got['gaps'])} largest groups")
    t = time.perf_counter()
    html = overview_html(insight.overview(*period()), {})
    print(f"«Resumen» drawn, last 30 days: {time.perf_counter() - t:.2f} s, {len(html)} chars")
    params = {"since": "2026-11-01", "until": "2026-11-30"}
    for label in ("first time", "again"):
        t = time.perf_counter()
        got = client.get("/api/summary", params=params, headers=auth).json()
        print(f"/api/summary, November ({label}): {time.perf_counter() - t:.2f} s, "
              f"{got['questions']} questions")
    with sqlite3.connect(qlog.db.path) as con:
        direct = dict(con.execute("SELECT grade, COUNT(*) FROM questions WHERE hour >= ? "
                                  "AND hour < ? GROUP BY grade", ("2026-11-01", "2026-12-01")))
    same = got["grades"] == {**dict.fromkeys(got["grades"], 0), **direct}
    print(f"counts equal a direct count: {same}")


if __name__ == "__main__":
    main()
