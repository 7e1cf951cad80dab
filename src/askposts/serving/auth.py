"""The staff area's credentials: a scrypt password hash, a bearer token, and a login limiter.

No password is ever stored: ``askposts staff-password`` prints ``scrypt$<salt>$<hash>`` for the
config file. Without a hash the staff area is off; without a token ``/api/questions`` is off.
Failed attempts are counted per client address, and an address that fails too often waits
before it may try again. With several workers the count lives in ``logins.sqlite`` beside the
index, so that every worker sees it: only a salted hash of the address and the time, and only
for the limiter's window (older rows are deleted on every write).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections import defaultdict, deque
from pathlib import Path

_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~50 ms per check on this machine


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$salt$hash`` (base64) for ``staff_password_hash``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by ``hash_password`` (constant time)."""
    try:
        kind, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=_N, r=_R,
                             p=_P, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_token(header: str | None, token: str) -> int:
    """HTTP status for an ``Authorization`` header: 200 good, 401 missing, 403 wrong."""
    if not header or not header.lower().startswith("bearer "):
        return 401
    return 200 if token and hmac.compare_digest(header[7:].strip().encode(), token.encode()) \
        else 403


class Limiter:
    """At most ``attempts`` failures per ``window`` seconds per client address: in memory, or
    in the SQLite file ``path`` shared by the workers of one machine."""

    def __init__(self, attempts: int = 5, window: float = 300.0,
                 path: str | Path | None = None) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._path = None if path is None else Path(path)

    def blocked(self, client: str) -> int:
        """Seconds ``client`` must wait before trying again (0: it may try now)."""
        now = time.time()
        with self._lock:
            times = self._recent(client, now)
        if len(times) < self.attempts:
            return 0
        return max(1, int(self.window - (now - times[-self.attempts])) + 1)

    def failed(self, client: str) -> None:
        """Count one failed attempt of ``client``."""
        now = time.time()
        with self._lock:
            if self._path is None:
                self._recent(client, now)
                self._failures[client].append(now)
                return
            with self._connect() as con:
                con.execute("DELETE FROM failures WHERE at < ?", (now - self.window,))
                con.execute("INSERT INTO failures VALUES (?, ?)", (self._key(con, client), now))

    def _recent(self, client: str, now: float) -> list[float]:
        """Times of the client's failures inside the window, oldest first (lock held)."""
        if self._path is None:
            times = self._failures.get(client)
            while times and now - times[0] > self.window:
                times.popleft()
            if times is not None and not times:
                del self._failures[client]  # nothing kept about good clients
            return list(times or ())
        with self._connect() as con:
            return [at for (at,) in con.execute(
                "SELECT at FROM failures WHERE client = ? AND at >= ? ORDER BY at",
                (self._key(con, client), now - self.window))]

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self._path, timeout=5)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS failures (client TEXT, at REAL)")
        con.execute("CREATE INDEX IF NOT EXISTS failures_client ON failures (client)")
        con.execute("CREATE TABLE IF NOT EXISTS salt (id INTEGER PRIMARY KEY CHECK (id = 1), "
                    "value BLOB NOT NULL)")
        return con

    @staticmethod
    def _key(con: sqlite3.Connection, client: str) -> str:
        """A salted hash of the address: the file never holds an address."""
        # The first worker to get here chooses the salt; the others read it.
        con.execute("INSERT OR IGNORE INTO salt VALUES (1, ?)", (secrets.token_bytes(16),))
        (salt,) = con.execute("SELECT value FROM salt").fetchone()
        return hmac.new(salt, client.encode(), "sha256").hexdigest()
