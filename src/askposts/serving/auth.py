"""The staff area's credentials: a scrypt password hash, a bearer token, and a login limiter.

No password is ever stored: ``askposts staff-password`` prints ``scrypt$<salt>$<hash>`` for the
config file. Without a hash the staff area is off; without a token ``/api/questions`` is off.
Failed attempts are counted per client address, in memory only (never written anywhere), and
an address that fails too often waits before it may try again.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

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
    """At most ``attempts`` failures per ``window`` seconds per client address."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures[client]
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, client: str) -> int:
        """Seconds ``client`` must wait before trying again (0: it may try now)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            if len(times) < self.attempts:
                if not times:
                    self._failures.pop(client, None)  # nothing kept about good clients
                return 0
            return max(1, int(self.window - (now - times[0])) + 1)

    def failed(self, client: str) -> None:
        """Count one failed attempt of ``client``."""
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)
