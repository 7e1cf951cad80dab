"""Where generations live: a folder on disk (default) or a PostgreSQL schema, behind one seam.

``open_store(settings, index_dir)`` is the one place that chooses. The builder and ``Index``
only see a ``Store``: lock, publish a complete generation atomically, load the published one,
and a cheap ``stamp`` that changes when another process publishes.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .folder import POINTER, IndexFolder
from .generation import Generation

if TYPE_CHECKING:
    from ..settings import Settings

BACKENDS = ("faiss", "postgres")


class Store(Protocol):
    """A place that holds published generations."""

    where: str  # for messages: a folder, or a database and schema

    def lock(self, wait: float = 0.0) -> contextlib.AbstractContextManager[None]: ...

    def current_name(self) -> str | None: ...

    def stamp(self) -> object: ...

    def load(self) -> Generation: ...

    def publish(self, gen: Generation, before: Callable[[], None] = lambda: None) -> str: ...

    def cleanup(self) -> None: ...


class FolderStore:
    """Generations as folders, published by an atomic ``CURRENT`` pointer (see ``store``)."""

    def __init__(self, path: str | Path) -> None:
        self.folder = IndexFolder(path)
        self.where = str(self.folder.path)

    @contextlib.contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[None]:
        """The build lock (flock on ``LOCK``)."""
        with self.folder.lock(wait):
            yield

    def current_name(self) -> str | None:
        """Name of the published generation, if any."""
        return self.folder.current_name()

    def stamp(self) -> object:
        """Changes whenever ``CURRENT`` is replaced (one ``stat``, no read)."""
        try:
            st = os.stat(self.folder.path / POINTER)
            return st.st_mtime_ns, st.st_ino, st.st_size
        except FileNotFoundError:
            return None

    def load(self) -> Generation:
        """The published generation (``IndexMissing`` when there is none)."""
        return Generation.load(self.folder.current())

    def publish(self, gen: Generation, before: Callable[[], None] = lambda: None) -> str:
        """Write ``gen`` to a new folder, then point ``CURRENT`` at it; returns its name."""
        tmp = self.folder.new_generation()
        gen.save(tmp)
        before()  # the crash tests stop here: written, not yet published
        return self.folder.publish(tmp)

    def cleanup(self) -> None:
        """Old generations and leftovers of interrupted builds go (under the lock)."""
        self.folder.cleanup()


def open_store(settings: "Settings", index_dir: str | Path) -> Store:
    """The store the settings name: ``faiss`` (a folder) or ``postgres`` (``database_url``)."""
    from ..settings import SettingsError

    if settings.backend == "faiss":
        return FolderStore(index_dir)
    if settings.backend == "postgres":
        if not settings.database_url:
            raise SettingsError("backend = \"postgres\" necesita database_url "
                                "(o ASKPOSTS_DATABASE_URL, o --database-url).")
        from .postgres import PostgresStore

        return PostgresStore(settings.database_url, settings.database_schema)
    raise SettingsError(f"backend debe ser {' o '.join(BACKENDS)} (no {settings.backend!r}).")
