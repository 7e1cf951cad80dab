"""Backup and restore of what cannot be rebuilt: the question log and the staff logins.

The index can always be built again from the content; the question log (with the citizens'
feedback) and the staff's failed-login records cannot. ``backup`` copies each SQLite file
beside a folder index with SQLite's online backup (a consistent snapshot while the server keeps
answering and writing), and writes ``backup.json`` with each file's rows and sha256.
``restore`` checks those sums and puts the files back into a stopped server's index folder,
refusing to overwrite data there unless told to. With the PostgreSQL backend the log lives in
the database: ``pg_dump`` copies it (docs/deploy.md).
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ._version import __version__
from .errors import AskpostsError
from .indexing.stores import LOGINS_FILE, QUESTION_FILE
from .spanish import messages as msg

FILES = {QUESTION_FILE: "questions", LOGINS_FILE: "failures"}  # file -> table counted
MANIFEST = "backup.json"


class BackupError(AskpostsError, RuntimeError):
    """A backup or restore that cannot be done as asked (nothing was changed)."""


@dataclass
class Copied:
    file: str
    rows: int
    bytes: int
    sha256: str


def backup(index_dir: str | Path, dest: str | Path, force: bool = False) -> list[Copied]:
    """Copy the index folder's SQLite files into ``dest`` (created); returns what was copied."""
    index_dir, dest = Path(index_dir), Path(dest)
    found = [name for name in FILES if (index_dir / name).is_file()]
    if not found:
        raise BackupError(msg.BACKUP_NOTHING.format(where=index_dir))
    if dest.exists() and any(dest.iterdir()) and not force:
        raise BackupError(msg.BACKUP_NOT_EMPTY.format(where=dest))
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    copied = [_copy(index_dir / name, dest / name) for name in found]
    _write_json(dest / MANIFEST, {"askposts_version": __version__,
                                  "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                  "source": str(index_dir.resolve()),
                                  "files": [asdict(c) for c in copied]})
    return copied


def restore(src: str | Path, index_dir: str | Path, force: bool = False) -> list[Copied]:
    """Put a backup's files into ``index_dir``; refuses to replace data there unless
    ``force``. Checks every file against ``backup.json`` before touching anything."""
    src, index_dir = Path(src), Path(index_dir)
    try:
        listed = json.loads((src / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(msg.RESTORE_NOT_A_BACKUP.format(where=src)) from exc
    for item in listed:
        if item["file"] not in FILES or _sha256(src / item["file"]) != item["sha256"]:
            raise BackupError(msg.RESTORE_DAMAGED.format(file=item["file"], where=src))
    present = [i["file"] for i in listed if (index_dir / i["file"]).is_file()]
    if present and not force:
        raise BackupError(msg.RESTORE_WOULD_REPLACE.format(where=index_dir,
                                                           files=", ".join(present)))
    index_dir.mkdir(parents=True, exist_ok=True)
    return [_copy(src / i["file"], index_dir / i["file"], replace=True) for i in listed]


def _copy(source: Path, target: Path, replace: bool = False) -> Copied:
    """SQLite's online backup of ``source`` into a new file, then moved into place whole."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    src, dst = sqlite3.connect(source, timeout=30), sqlite3.connect(tmp)
    try:
        src.backup(dst)  # all pages in one step: one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        src.close()
        dst.close()
    os.chmod(tmp, 0o600)  # private, like the log itself
    if replace:  # a stale write-ahead log beside the old file would be replayed into the new
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, target)
    return Copied(target.name, _rows(target), target.stat().st_size, _sha256(target))


def _rows(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        try:
            return int(con.execute(f"SELECT count(*) FROM {FILES[path.name]}").fetchone()[0])
        except sqlite3.OperationalError:  # the table was never created
            return 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
