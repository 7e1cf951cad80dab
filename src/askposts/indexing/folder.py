"""Index folder layout: immutable generations, an atomic ``CURRENT`` pointer and a build lock.

    index/
      CURRENT          name of the published generation (replaced atomically)
      LOCK             held (flock) by the one build running
      gen-.../         one complete index: manifest.json, posts.json, vectors.faiss, ...

A build writes a new generation folder, fsyncs it, then replaces ``CURRENT`` with ``os.replace``:
readers see either the old or the new generation, never a mix, and a build killed at any moment
leaves the previous one in place.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from ..errors import AskpostsError
from ..spanish import messages as msg

POINTER = "CURRENT"
LOCK = "LOCK"
PREFIX = "gen-"


class IndexBusy(AskpostsError, RuntimeError):
    """Another build holds the lock."""


class IndexMissing(AskpostsError, FileNotFoundError):
    """No published generation in the folder."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: Path, data: object) -> None:
    with path.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())


class IndexFolder:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def current_name(self) -> str | None:
        try:
            name = (self.path / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.path / name).is_dir() else None

    def current(self) -> Path:
        name = self.current_name()
        if name is None:
            raise IndexMissing(msg.NO_INDEX.format(where=self.path, how=f"--index {self.path}"))
        return self.path / name

    def new_generation(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"{PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.tmp"
        folder = self.path / name
        folder.mkdir()
        return folder

    def publish(self, folder: Path) -> str:
        """Make ``folder`` (a finished ``.tmp`` generation) the current one, atomically."""
        for item in folder.rglob("*"):
            if item.is_file():
                with item.open("rb") as fh:
                    os.fsync(fh.fileno())
        final = folder.with_name(folder.name.removesuffix(".tmp"))
        os.replace(folder, final)
        pointer_tmp = self.path / f"{POINTER}.{uuid.uuid4().hex[:8]}.tmp"
        pointer_tmp.write_text(final.name, encoding="utf-8")
        with pointer_tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(pointer_tmp, self.path / POINTER)
        _fsync_dir(self.path)
        return final.name

    @contextlib.contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the build lock; wait up to ``wait`` seconds, then raise ``IndexBusy``."""
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / LOCK).open("a") as fh:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(msg.INDEX_BUSY.format(where=self.path)) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def cleanup(self, keep: int = 2, min_age: float = 60.0) -> None:
        """Remove old generations and leftovers of interrupted builds (call under the lock).

        The newest ``keep`` generations stay, and so does anything younger than ``min_age``
        seconds, so a reader that just opened an older generation can finish loading it.
        """
        current = self.current_name()
        gens = sorted((p for p in self.path.glob(PREFIX + "*") if p.is_dir()),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        finished = [p for p in gens if not p.name.endswith(".tmp")]
        keep_names = {p.name for p in finished[:keep]} | {current}
        now = time.time()
        for p in gens:
            leftover = p.name.endswith(".tmp")  # under the lock, no build is writing it
            if p.name not in keep_names and (leftover or now - p.stat().st_mtime > min_age):
                shutil.rmtree(p, ignore_errors=True)
        for stray in self.path.glob(f"{POINTER}.*.tmp"):
            stray.unlink(missing_ok=True)
