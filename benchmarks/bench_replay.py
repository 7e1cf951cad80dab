"""Benchmark (not a test): replay the site's whole CMS history, indexing after every commit.

    .venv/bin/python benchmarks/bench_replay.py [HISTORY.jsonl] [--every N]

Prints how many passages the incremental path embedded in total, against what rebuilding from
scratch after every commit would have embedded, and the time per incremental update.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The replay helper lives with the tests that use it most.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from cms_history import apply_commit, read_history  # noqa: E402

from askposts import Settings  # noqa: E402
from askposts.indexing.builder import Builder  # noqa: E402

HERE = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("history", nargs="?",
                    default=str(HERE.parent / "shared/history/redciudadana-cms.jsonl"))
    ap.add_argument("--every", type=int, default=1, help="index after every N commits")
    args = ap.parse_args()
    builder = Builder(Settings.load())
    with tempfile.TemporaryDirectory() as tmp:
        site, index = Path(tmp) / "site", Path(tmp) / "index"
        site.mkdir()
        commits = list(read_history(args.history))
        embedded = full_equivalent = 0
        times = []
        for n, commit in enumerate(commits, 1):
            apply_commit(site, commit)
            if n % args.every and n != len(commits):
                continue
            t = time.perf_counter()
            _, report = builder.build(site, index)
            times.append(time.perf_counter() - t)
            embedded += report.embedded
            full_equivalent += report.passages
        print(f"{len(commits)} commits, {len(times)} incremental builds")
        print(f"passages embedded: incremental {embedded}, full rebuild after each build "
              f"{full_equivalent} ({full_equivalent / max(1, embedded):.0f}x more)")
        print(f"incremental build time: median {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s, total {sum(times):.0f} s")


if __name__ == "__main__":
    main()
