"""One way to connect to PostgreSQL, for the index's store and the question log alike."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg


def connect(url: str, vectors: bool = False) -> "psycopg.Connection":
    """An autocommit connection; ``vectors``: pgvector's type registered (the extension is
    created on first use)."""
    import psycopg

    con = psycopg.connect(url, autocommit=True)
    if vectors:
        from pgvector.psycopg import register_vector

        try:
            register_vector(con)
        except psycopg.ProgrammingError:  # the extension does not exist yet
            con.execute("CREATE EXTENSION IF NOT EXISTS vector")
            register_vector(con)
    return con
