"""Where the question log is written: SQLite beside a folder index, or the index's PostgreSQL.

Both speak the same SQL (written with ``?`` placeholders and ``{t}`` for the table); each
dialect only says how to connect, how to group writes in one transaction and how to order rows.
"""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

    from ..settings import Settings

_COLUMNS = ("id TEXT PRIMARY KEY, hour TEXT NOT NULL, question TEXT NOT NULL, "
            "grade TEXT NOT NULL, confidence REAL, reason TEXT, cited TEXT, latency_ms INTEGER, "
            "filters TEXT, vector {blob}, useful INTEGER, comment TEXT, source TEXT")
# Columns added after the first version: an older log gains them when opened.
_ADDED = {"source": "TEXT"}
# Staff corrections (``corrections``): kept when the questions they came from expire.
_CORRECTIONS = ("id TEXT PRIMARY KEY, created TEXT NOT NULL, question_id TEXT, "
                "question TEXT NOT NULL, path TEXT, evidence TEXT, answerable INTEGER NOT NULL, "
                "should_answer INTEGER, note TEXT")


class SqliteDB:
    """``questions.sqlite`` in WAL mode: several processes write, a crash loses nothing committed."""

    order = "rowid"  # insertion order

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def sql(self, text: str) -> str:
        """The statement for this dialect."""
        return text.format(t="questions", c="corrections")

    def exists(self) -> bool:
        """Whether anything was ever written (reading must not create the file)."""
        return self.path.exists()

    def connect(self) -> sqlite3.Connection:
        """A connection with the table created."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA busy_timeout=10000")
        con.execute("PRAGMA synchronous=NORMAL")  # WAL: safe on an app crash; fewer syncs
        con.execute(f"CREATE TABLE IF NOT EXISTS questions ({_COLUMNS.format(blob='BLOB')})")
        con.execute("CREATE INDEX IF NOT EXISTS questions_hour ON questions (hour)")
        have = {row[1] for row in con.execute("PRAGMA table_info(questions)")}
        for column, kind in _ADDED.items():
            if column not in have:
                con.execute(f"ALTER TABLE questions ADD COLUMN {column} {kind}")
        con.execute(f"CREATE TABLE IF NOT EXISTS corrections ({_CORRECTIONS})")
        return con

    @contextlib.contextmanager
    def transaction(self, con: sqlite3.Connection) -> Iterator[None]:
        """One transaction (one disk sync) for a batch of writes. IMMEDIATE takes the write
        lock at once, waiting ``busy_timeout`` for another process's writer; a deferred one
        could fail at its first write without waiting."""
        with con:
            con.execute("BEGIN IMMEDIATE")
            yield


class PostgresDB:
    """A ``questions`` table in the schema of the PostgreSQL backend."""

    order = "seq"

    def __init__(self, url: str, schema: str) -> None:
        self.url, self.schema = url, schema

    def sql(self, text: str) -> str:
        """The statement for this dialect (``%s`` placeholders, schema-qualified table)."""
        return text.format(t=f"{self.schema}.questions",
                           c=f"{self.schema}.corrections").replace("?", "%s")

    def exists(self) -> bool:
        """The table is created on first connection: reading is always possible."""
        return True

    def connect(self) -> "psycopg.Connection":
        """A connection (autocommit) with the table created."""
        from ..indexing.connection import connect

        con = connect(self.url)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        con.execute(f"CREATE TABLE IF NOT EXISTS {self.schema}.questions "
                    f"(seq bigserial, {_COLUMNS.format(blob='bytea')})")
        con.execute(f"CREATE INDEX IF NOT EXISTS questions_hour ON {self.schema}.questions "
                    "(hour)")
        for column, kind in _ADDED.items():
            con.execute(f"ALTER TABLE {self.schema}.questions ADD COLUMN IF NOT EXISTS "
                        f"{column} {kind}")
        con.execute(f"CREATE TABLE IF NOT EXISTS {self.schema}.corrections "
                    f"(seq bigserial, {_CORRECTIONS})")
        return con

    @contextlib.contextmanager
    def transaction(self, con: "psycopg.Connection") -> Iterator[None]:
        """One transaction for a batch of writes."""
        with con.transaction():
            yield


def open_question_db(settings: "Settings", index_dir: str | Path) -> "SqliteDB | PostgresDB":
    """Where the settings keep the question log: beside a folder index, or in the index's
    PostgreSQL schema (the backend's name as ``indexing.stores`` reads it)."""
    from ..indexing.stores import QUESTION_FILE, backend, database_url

    backend(settings)  # an unknown name: the same Spanish error as the index's
    if settings.backend == "postgres":
        return PostgresDB(database_url(settings), settings.database_schema)
    return SqliteDB(Path(index_dir) / QUESTION_FILE)
