"""The ranking core at scale (not a test): ``retrieve.score`` + hits on synthetic corpora.

    .venv/bin/python benchmarks/bench_core.py --index DIR [--sizes 10000,100000,1000000]

For each size N (passages): N/2.5 posts and 2N answer windows (the real corpus has 2.5 passages per
post), vectors clustered around a real index's vectors (as ``bench_scale.py``; one centre per
post, its passages and windows around it), BM25 over
generated text (stems drawn with the real corpus's frequencies), exact vector search below the
settings' ``ann_threshold`` and HNSW above it, as the indexer builds them. Queries: the real
index's dev-like terms (stems of its post titles) with synthetic vectors. Prints build time,
RSS, and search p50/p95 (one thread) with candidate-limited fusion (``candidates`` = 300) and,
up to 100k passages, with exact vectors and every post scored (the exhaustive path it replaced).
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections import Counter

import numpy as np
from bench_scale import rss_mb, seeds, synthetic

from askposts import Settings
from askposts.answering.model import AnswerModel
from askposts.answering.query import Query
from askposts.answering.rank import make_hit, score, top_posts
from askposts.indexing.generation import Generation
from askposts.indexing.lexical import Analyzer, LexicalIndex
from askposts.indexing.stores import open_store
from askposts.indexing.vectors import (
    AnnParams,
    ArrayBackend,
    passage_backend,
    window_backend,
)
from askposts.records import Passage, Post

NO_ANN = AnnParams(threshold=10**12)
TEXT = "Texto sintético de una sección. " * 10  # 320 characters: one passage


def vocabulary(gen: Generation, analyzer: Analyzer) -> tuple[list[str], np.ndarray]:
    counts = Counter(t for p in gen.posts for t in analyzer.terms(p.text))
    stems = sorted(counts)
    freq = np.array([counts[s] for s in stems], float)
    return stems, freq / freq.sum()


def lexical(n_docs: int, length: int, stems: list[str], p: np.ndarray,
            rng: np.random.Generator) -> LexicalIndex:
    import bm25s
    from bm25s.tokenization import Tokenized

    ids = rng.choice(len(stems), size=(n_docs, length), p=p)
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(Tokenized(ids=ids.tolist(), vocab={s: i for i, s in enumerate(stems)}),
                    show_progress=False)
    return LexicalIndex(retriever, n_docs)


def synthetic_generation(n: int, base: np.ndarray, stems, p, rng) -> Generation:
    n_posts = int(n / 2.5)
    owners = np.sort(np.r_[np.arange(n_posts), rng.integers(0, n_posts, n - n_posts)])
    posts, passages = [], []
    first = np.searchsorted(owners, np.arange(n_posts + 1))
    for i in range(n_posts):
        k = int(first[i + 1] - first[i])
        posts.append(Post(f"blogs/{i}.md", "blogs", f"Publicación {i}", date="2020-05-01",
                          text=TEXT * k))
        passages += [Passage(posts[i].path, "", j * len(TEXT), (j + 1) * len(TEXT), TEXT)
                     for j in range(k)]
    units = np.column_stack([np.repeat(owners, 2), np.zeros(2 * n, np.int64),
                             np.full(2 * n, 30, np.int64)])
    windows = np.column_stack([np.arange(2 * n), np.ones(2 * n, np.int64)])
    ann = AnnParams.of(Settings())
    # A post's passages and windows are about one subject: each post draws one real vector
    # and its passages and windows lie around it.
    topics = synthetic(base, n_posts, rng, noise=0.2)
    vectors = synthetic(topics, n, rng, picks=owners)
    window_vectors = synthetic(topics, 2 * n, rng, picks=np.repeat(owners, 2))
    return Generation(
        "synthetic", {"model": {"id": "synthetic"}}, posts, passages, [""] * n, owners,
        passage_backend(vectors, ann), lexical(n, 60, stems, p, rng),
        lexical(n_posts, 150, stems, p, rng), units, windows, [""] * (2 * n), window_vectors,
        {s: 1 for s in stems}, window_backend(window_vectors, ann))


def query(qvec: np.ndarray, words: list[str]) -> Query:
    """A parsed question with these terms and vector (no text to parse)."""
    return Query(" ".join(words), " ".join(words), " ".join(words), tuple(words),
                 {w: 1.0 for w in words}, None, False, (), 0.0, (), qvec)


def timed(run, queries) -> tuple[float, float]:
    times = []
    for q in queries:
        t = time.perf_counter()
        run(*q)
        times.append(time.perf_counter() - t)
    times.sort()
    return 1000 * statistics.median(times), 1000 * times[int(0.95 * len(times))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=100)
    args = ap.parse_args()
    import faiss
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    real = open_store(Settings.load(env={}), args.index).load()
    analyzer, fusion = Analyzer(), AnswerModel.load().fusion
    stems, p = vocabulary(real, analyzer)
    base = seeds(args.index)
    terms = [analyzer.terms(post.title) for post in real.posts if post.title]
    for n in (int(s) for s in args.sizes.split(",")):
        faiss.omp_set_num_threads(2)
        before, t = rss_mb(), time.perf_counter()
        gen = synthetic_generation(n, base, stems, p, rng)
        build = time.perf_counter() - t
        faiss.omp_set_num_threads(1)
        qvecs = synthetic(base, args.queries, rng)
        queries = [(q, terms[i % len(terms)]) for i, q in enumerate(qvecs)]
        print(f"{n:>9,} passages, {len(gen.posts):,} posts, {2 * n:,} windows; vectors "
              f"{gen.vectors.params()['kind']}; built in {build:.0f} s, "
              f"+{rss_mb() - before:,.0f} MB", flush=True)
        runs = [("candidates 300", gen, 300)]
        if n <= 100_000:  # the path it replaced: exact vectors, every post scored
            exact = dataclasses.replace(gen, vectors=passage_backend(gen.vectors.vectors(), NO_ANN),
                                        window_index=ArrayBackend(gen.window_vectors))
            runs.append(("every post, exact", exact, len(gen.posts)))
        for label, g, limit in runs:
            def search(qvec, words, g=g, limit=limit):
                sc = score(g, query(qvec, words), fusion, None, limit)
                return [make_hit(g, sc, i, r) for r, i in enumerate(top_posts(sc, 10), 1)]

            p50, p95 = timed(search, queries)
            print(f"    {label:18s}: search p50 {p50:7.2f} ms  p95 {p95:7.2f} ms", flush=True)
        del gen, runs
    return 0


if __name__ == "__main__":
    sys.exit(main())
