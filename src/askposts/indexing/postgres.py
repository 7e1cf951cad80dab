"""Generations in PostgreSQL (pgvector): one schema, published in one transaction.

Tables (schema ``database_schema``, created on first use): ``generations`` (manifest, document
frequencies), ``posts``, ``passages``, answer ``units`` and ``windows`` (passages and windows
with their ``vector`` embeddings), and
a one-row ``pointer`` to the published generation. A build inserts the new generation and moves
the pointer in one transaction: readers see the old or the new, never a mix. A second builder
waits on an advisory lock. Readers load the published generation into memory (vectors into
FAISS, exact or HNSW as the manifest says, BM25 rebuilt from the texts) and check the pointer
between queries.
"""
from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import numpy as np

from ..records import Passage, Post
from ..spanish import messages as msg
from .connection import connect
from .folder import IndexBusy, IndexMissing
from .generation import FORMAT, Generation, IndexMismatch
from .lexical import Analyzer
from .vectors import AnnParams, passage_backend

_TABLES = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.generations (
    name text PRIMARY KEY, created timestamptz NOT NULL DEFAULT now(),
    manifest jsonb NOT NULL, df jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.pointer (
    id int PRIMARY KEY CHECK (id = 1), name text NOT NULL REFERENCES {s}.generations);
CREATE TABLE IF NOT EXISTS {s}.posts (
    gen text REFERENCES {s}.generations ON DELETE CASCADE, idx int, data jsonb NOT NULL,
    PRIMARY KEY (gen, idx));
CREATE TABLE IF NOT EXISTS {s}.passages (
    gen text REFERENCES {s}.generations ON DELETE CASCADE, idx int, post int NOT NULL,
    heading text NOT NULL, start_at int NOT NULL, end_at int NOT NULL, key text NOT NULL,
    embedding vector NOT NULL, PRIMARY KEY (gen, idx));
CREATE TABLE IF NOT EXISTS {s}.units (
    gen text REFERENCES {s}.generations ON DELETE CASCADE, idx int, post int NOT NULL,
    start_at int NOT NULL, end_at int NOT NULL, PRIMARY KEY (gen, idx));
CREATE TABLE IF NOT EXISTS {s}.windows (
    gen text REFERENCES {s}.generations ON DELETE CASCADE, idx int, unit int NOT NULL,
    units int NOT NULL, key text NOT NULL, embedding vector NOT NULL, PRIMARY KEY (gen, idx));
"""


def _matrix(vectors: list, dim: int) -> np.ndarray:
    """pgvector values (``Vector`` objects) as one float32 matrix."""
    rows = [v.to_numpy() if hasattr(v, "to_numpy") else v for v in vectors]
    return np.array(rows, np.float32).reshape(-1, dim)


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"postgresql://{host}{':' + str(parts.port) if parts.port else ''}{parts.path}"


class PostgresStore:
    """A ``Store`` (see ``stores``) in one schema of a PostgreSQL database with pgvector."""

    def __init__(self, url: str, schema: str = "askposts") -> None:
        if not schema.isidentifier():
            from ..settings import SettingsError

            raise SettingsError(msg.BAD_SCHEMA_NAME.format(value=schema))
        self.url, self.schema = url, schema
        self.where = f"{_safe_url(url)} (esquema {schema})"
        self._lock_key = zlib.crc32(f"askposts:{schema}".encode())
        self._reader = None  # one connection for the pointer checks between queries
        self._reader_lock = threading.Lock()
        with contextlib.closing(self._connect()) as con:
            con.execute(_TABLES.format(s=schema))

    def _connect(self):
        return connect(self.url, vectors=True)

    @contextlib.contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[None]:
        """An advisory lock per schema; ``IndexBusy`` after ``wait`` seconds."""
        with contextlib.closing(self._connect()) as con:
            deadline = time.monotonic() + wait
            while not con.execute("SELECT pg_try_advisory_lock(%s)",
                                  (self._lock_key,)).fetchone()[0]:
                if time.monotonic() >= deadline:
                    raise IndexBusy(msg.INDEX_BUSY.format(where=self.where))
                time.sleep(0.2)
            try:
                yield
            finally:
                con.execute("SELECT pg_advisory_unlock(%s)", (self._lock_key,))

    def current_name(self) -> str | None:
        """Name of the published generation, if any (one query)."""
        import psycopg

        with self._reader_lock:
            for attempt in (0, 1):  # a dropped connection is opened again once
                try:
                    if self._reader is None or self._reader.closed:
                        self._reader = self._connect()
                    row = self._reader.execute(
                        f"SELECT name FROM {self.schema}.pointer WHERE id = 1").fetchone()
                    return row[0] if row else None
                except psycopg.OperationalError:
                    self._reader = None
                    if attempt:
                        raise
        return None

    def stamp(self) -> object:
        """The published name: a new generation changes it."""
        return self.current_name()

    def manifest(self) -> dict | None:
        """The published generation's manifest as stored (any format), or None."""
        s = self.schema
        with contextlib.closing(self._connect()) as con:
            row = con.execute(f"SELECT g.manifest FROM {s}.pointer p JOIN {s}.generations g "
                              "USING (name) WHERE p.id = 1").fetchone()
        return row[0] if row else None

    def load(self) -> Generation:
        """Read the published generation into memory."""
        s = self.schema
        with contextlib.closing(self._connect()) as con, con.transaction():
            row = con.execute(f"SELECT g.name, g.manifest, g.df FROM {s}.pointer p JOIN "
                              f"{s}.generations g USING (name) WHERE p.id = 1").fetchone()
            if row is None:
                raise IndexMissing(msg.NO_INDEX.format(where=self.where,
                                                       how="--database-url URL"))
            name, manifest, df = row
            if manifest.get("format") != FORMAT:
                raise IndexMismatch(msg.OLD_FORMAT.format(where=self.where,
                                                          format=manifest.get("format"),
                                                          how="--database-url URL"))
            posts = [Post.from_dict(d) for (d,) in con.execute(
                f"SELECT data FROM {s}.posts WHERE gen = %s ORDER BY idx", (name,))]
            prows = con.execute(f"SELECT post, heading, start_at, end_at, key, embedding FROM "
                                f"{s}.passages WHERE gen = %s ORDER BY idx", (name,)).fetchall()
            urows = con.execute(f"SELECT post, start_at, end_at FROM {s}.units WHERE gen = %s "
                                "ORDER BY idx", (name,)).fetchall()
            wrows = con.execute(f"SELECT unit, units, key, embedding FROM {s}.windows "
                                "WHERE gen = %s ORDER BY idx", (name,)).fetchall()
        dim = manifest["model"]["dim"]
        passages = [Passage(posts[p].path, h, a, b, posts[p].text[a:b])
                    for p, h, a, b, _, _ in prows]
        # The in-memory indexes are rebuilt as the build made them (HNSW above a size).
        ann = AnnParams(**manifest["fingerprint"].get("ann", {}))
        gen = Generation.assemble(
            name, manifest, posts, passages, [r[4] for r in prows],
            passage_backend(_matrix([r[5] for r in prows], dim), ann), Analyzer(),
            np.array(urows, np.int64).reshape(-1, 3),
            np.array([r[:2] for r in wrows], np.int64).reshape(-1, 2), [r[2] for r in wrows],
            _matrix([r[3] for r in wrows], dim), df, ann=ann)
        return gen

    def publish(self, gen: Generation, before: Callable[[], None] = lambda: None) -> str:
        """Insert ``gen`` and point at it, in one transaction; returns its name."""
        s, name = self.schema, f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        vectors = gen.vectors.vectors()
        with contextlib.closing(self._connect()) as con, con.transaction():
            con.execute(f"INSERT INTO {s}.generations (name, manifest, df) VALUES (%s, %s, %s)",
                        (name, json.dumps(gen.manifest), json.dumps(gen.document_frequency)))
            cur = con.cursor()
            with cur.copy(f"COPY {s}.posts (gen, idx, data) FROM STDIN") as copy:
                for i, post in enumerate(gen.posts):
                    copy.write_row((name, i, json.dumps(post.to_dict(), ensure_ascii=False)))
            with cur.copy(f"COPY {s}.passages FROM STDIN WITH (FORMAT BINARY)") as copy:
                copy.set_types(["text", "int4", "int4", "text", "int4", "int4", "text", "vector"])
                for i, p in enumerate(gen.passages):
                    copy.write_row((name, i, int(gen.passage_post[i]), p.heading, p.start, p.end,
                                    gen.keys[i], vectors[i]))
            with cur.copy(f"COPY {s}.units (gen, idx, post, start_at, end_at) FROM STDIN") \
                    as copy:
                for i, row in enumerate(gen.units):
                    copy.write_row((name, i, *map(int, row)))
            with cur.copy(f"COPY {s}.windows FROM STDIN WITH (FORMAT BINARY)") as copy:
                copy.set_types(["text", "int4", "int4", "int4", "text", "vector"])
                for i, (row, key) in enumerate(zip(gen.windows, gen.window_keys)):
                    copy.write_row((name, i, *map(int, row), key, gen.window_vectors[i]))
            before()  # the crash tests stop here: written, not yet published
            con.execute(f"INSERT INTO {s}.pointer (id, name) VALUES (1, %s) ON CONFLICT (id) "
                        "DO UPDATE SET name = EXCLUDED.name", (name,))
        return name

    def cleanup(self, keep: int = 2) -> None:
        """Keep the published generation and the one before it (readers may still load it)."""
        s = self.schema
        with contextlib.closing(self._connect()) as con:
            con.execute(f"DELETE FROM {s}.generations WHERE name NOT IN (SELECT name FROM "
                        f"{s}.pointer) AND name NOT IN (SELECT name FROM {s}.generations "
                        "ORDER BY created DESC LIMIT %s)", (keep,))
