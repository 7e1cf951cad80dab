"""Benchmark (not a test): is a text's vector the same bits alone and inside other batches?

    .venv/bin/python benchmarks/bench_determinism.py [CORPUS] [--rounds 10] [--precision auto]

Every corpus title and 500 random answer windows (``tests/test_determinism.sample_texts``),
through the index's encoder (sentence-transformers) and the question encoder (plain torch):
each embedded alone, then ``--rounds`` times shuffled into random batches of 64 of any lengths.
Prints how many texts got a vector that differs from their own alone, and the seconds per
text alone and in batches.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests"))  # the sampler lives with the test that uses it

from test_determinism import sample_texts  # noqa: E402

from askposts import Settings  # noqa: E402
from askposts.embedding.embedder import load_embedder  # noqa: E402


def check(name: str, embed, texts: list[str], rounds: int) -> None:
    t = time.perf_counter()
    alone = np.stack([embed([x])[0] for x in texts])
    alone_s = time.perf_counter() - t
    rng, differ, batched_s = random.Random(11), set(), 0.0
    for _ in range(rounds):
        order = list(range(len(texts)))
        rng.shuffle(order)
        for s in range(0, len(order), 64):
            batch = order[s:s + 64]
            t = time.perf_counter()
            got = embed([texts[i] for i in batch])
            batched_s += time.perf_counter() - t
            differ.update(i for i, v in zip(batch, got) if not np.array_equal(v, alone[i]))
    print(f"{name}: {len(texts)} texts x {rounds} random batches of 64: {len(differ)} differ "
          f"from alone; {1000 * alone_s / len(texts):.1f} ms a text alone, "
          f"{1000 * batched_s / (rounds * len(texts)):.1f} ms in batches", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(HERE.parent / "shared/corpus/redciudadana"))
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--precision", default="auto")
    args = ap.parse_args()
    settings = Settings.load(env={}, precision=args.precision)
    texts = sample_texts(Path(args.corpus), settings)
    index = load_embedder(settings, purpose="index")
    print(f"precision {index.precision}")
    check("index encoder (passages)", index.embed_passages, texts, args.rounds)
    check("question encoder", load_embedder(settings).embed_queries, texts, args.rounds)


if __name__ == "__main__":
    main()
