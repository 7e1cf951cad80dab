"""Benchmark (not a test): index the reference corpus from scratch, then time queries.

    .venv/bin/python benchmarks/bench_index.py [CONTENT] [--questions ../shared/eval/dev.jsonl]

Prints the full index time with and without model load, passages/s, warm query latency
p50/p95 (search, search + answer decision, full answer), the time of an incremental update
after one changed post, and peak RSS.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from askposts import Settings, build_index  # noqa: E402
from askposts.embedding.embedder import Embedder, load_embedder  # noqa: E402
from askposts.fitting.evaluate import read_questions  # noqa: E402

HERE = Path(__file__).resolve().parent.parent


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def incremental(content: str, settings: Settings, embedder: Embedder) -> None:
    """Copy the corpus, index it, change one post, time the update."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(content, site)
        build_index(site, Path(tmp) / "index", settings, embedder=embedder)
        post = sorted(site.glob("blogs/*.md"))[10]
        post.write_text(post.read_text(encoding="utf-8") + "\nUn párrafo nuevo.\n",
                        encoding="utf-8")
        t = time.perf_counter()
        index = build_index(site, Path(tmp) / "index", settings, embedder=embedder)
        r = index.report
        print(f"incremental update after one changed post: {time.perf_counter() - t:.2f} s "
              f"({r.embedded} passages and windows embedded, {r.reused} reused)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("content", nargs="?", default=str(HERE.parent / "shared/corpus/redciudadana"))
    ap.add_argument("--questions", default=str(HERE.parent / "shared/eval/dev.jsonl"))
    args = ap.parse_args()
    # No answer cache: this measures the work of every query, not the cache (bench_load does).
    settings = Settings.load(site_url="https://redciudadana.org", cache_size=0)

    t0 = time.perf_counter()
    embedder = load_embedder(settings)
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        index = build_index(args.content, tmp, settings, embedder=embedder)
        build_s = time.perf_counter() - t1
        r = index.report
        print(f"model load: {load_s:.1f} s")
        print(f"encoder precision: {embedder.precision}, torch threads: {settings.threads}")
        print(f"full index: {build_s:.1f} s without model load, {build_s + load_s:.1f} s with "
              f"({r.posts} posts, {r.passages} passages, {r.windows} windows, "
              f"{r.embedded} embedded)")
        print(f"texts embedded/s: {r.embedded / build_s:.1f}")
        questions = [q.question for q in read_questions(args.questions)]
        for q in questions:
            index.ask(q)  # warm up (bf16 kernels are prepared once per input length)
        runs = (("search", lambda q: index.search(q, k=10)),
                ("search+decision", lambda q: index.search_and_judge(q, k=10)),
                ("ask (answer with citations)", index.ask))
        times: dict[str, list[float]] = {name: [] for name, _ in runs}
        for q in questions:  # interleaved: machine noise hits all three alike
            for name, fn in runs:
                s = time.perf_counter()
                fn(q)
                times[name].append(1000 * (time.perf_counter() - s))
        for name, values in times.items():
            print(f"{name} latency warm: p50 {statistics.median(values):.1f} ms, "
                  f"p95 {pct(values, .95):.1f} ms ({len(values)} questions)")
        ratio = statistics.median(times["ask (answer with citations)"]) / \
            statistics.median(times["search"])
        print(f"ask p50 / search p50: {ratio:.2f}")
        incremental(args.content, settings, embedder)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
