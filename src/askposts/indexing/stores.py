"""Where generations live, chosen by name in one registry.

``BACKENDS`` maps each ``backend`` setting to how it opens the index's ``Store``: ``faiss`` (a
folder on disk) or ``postgres`` (a schema). ``open_store`` is the only place that chooses; the
question log, a later stage, follows the same name (``questionlog.database.open_question_db``:
SQLite beside the folder, or a table in that schema).
The builder and ``Index`` only see a ``Store``: lock, publish a complete generation atomically,
load the published one, and a cheap ``stamp`` that changes when another process publishes.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..spanish import messages as msg
from .folder import POINTER, IndexFolder
from .generation import Generation

if TYPE_CHECKING:
    from ..settings import Settings

QUESTION_FILE = "questions.sqlite"  # the question log beside a folder index
LOGINS_FILE = "logins.sqlite"  # failed staff logins, shared by the workers
CLIENTS_FILE = "clients.bin"  # each client's share of the questions, mapped by the workers


class Store(Protocol):
    """A place that holds published generations."""

    where: str  # for messages: a folder, or a database and schema

    def lock(self, wait: float = 0.0) -> contextlib.AbstractContextManager[None]: ...

    def current_name(self) -> str | None: ...

    def stamp(self) -> object: ...

    def load(self) -> Generation: ...

    def manifest(self) -> dict | None:
        """The published generation's manifest as stored (any format), or None."""

    def publish(self, gen: Generation, before: Callable[[], None] = lambda: None) -> str: ...

    def cleanup(self) -> None: ...


class FolderStore:
    """Generations as folders, published by an atomic ``CURRENT`` pointer (see ``folder``)."""

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

    def manifest(self) -> dict | None:
        name = self.folder.current_name()
        try:
            return json.loads((self.folder.path / name / "manifest.json").read_text("utf-8")) \
                if name else None
        except (OSError, ValueError):
            return None

    def publish(self, gen: Generation, before: Callable[[], None] = lambda: None) -> str:
        """Write ``gen`` to a new folder, then point ``CURRENT`` at it; returns its name."""
        tmp = self.folder.new_generation()
        gen.save(tmp)
        before()  # the crash tests stop here: written, not yet published
        return self.folder.publish(tmp)

    def cleanup(self) -> None:
        """Old generations and leftovers of interrupted builds go (under the lock)."""
        self.folder.cleanup()


def _folder(settings: "Settings", index_dir: Path) -> Store:
    return FolderStore(index_dir)


def database_url(settings: "Settings") -> str:
    from ..settings import SettingsError

    if not settings.database_url:
        raise SettingsError(msg.POSTGRES_NEEDS_URL)
    return settings.database_url


def _postgres(settings: "Settings", index_dir: Path) -> Store:
    from .postgres import PostgresStore

    return PostgresStore(database_url(settings), settings.database_schema)


@dataclass(frozen=True)
class Backend:
    """How one backend opens the index's store."""

    store: Callable[["Settings", Path], Store]


BACKENDS: dict[str, Backend] = {"faiss": Backend(_folder), "postgres": Backend(_postgres)}


def backend(settings: "Settings") -> Backend:
    """The backend the settings name (``SettingsError`` for an unknown name)."""
    from ..settings import SettingsError

    try:
        return BACKENDS[settings.backend]
    except KeyError:
        raise SettingsError(msg.BAD_BACKEND.format(names=" o ".join(BACKENDS),
                                                   value=settings.backend)) from None


def open_store(settings: "Settings", index_dir: str | Path) -> Store:
    """Where the settings keep the index's generations."""
    return backend(settings).store(settings, Path(index_dir))
