"""Fair admission per client: one visitor's script cannot take the public chat from everyone.

A *client* is an address (IPv6: its /64, which one machine usually holds whole). Each client
has a token bucket (``rate`` questions a second, at most ``burst`` saved up) and at most
``in_flight`` questions being answered or waiting at once. Over either, it is refused with the
seconds to wait; a client that comes back before that time ("early") is told so again, and the
front door makes it wait those seconds before answering (``Guard``), so that a script which
ignores ``Retry-After`` costs a few refusals a second per connection, not thousands.

The table lives in shared memory: an anonymous map in one process, or a file beside the index
that every worker maps (``--workers``), locked with ``flock`` for the few microseconds an
update takes. It holds no address: keys are salted hashes, and the salt lives in the file.
A question in flight holds a *lease* stamped with its start; a lease older than ``STALE``
seconds no longer counts, so a worker that dies mid-answer does not shrink anyone's share.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import ipaddress
import math
import mmap
import os
import secrets
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..settings import MOST_IN_FLIGHT
from ..spanish import messages as msg
from .gate import Busy

LEASES = MOST_IN_FLIGHT  # a lease per question in flight, in each client's row
STALE = 120.0  # seconds after which a lease is forgotten (no question takes this long)
SLOTS = 8192  # clients remembered at once; an idle client's slot is reused
PROBES = 8  # slots looked at for one client (open addressing)
_MAGIC = b"askposts-clients-1\0"
_HEADER = 64  # magic, then the salt
_SLOT = struct.Struct(f"<Qddd{LEASES}d")  # key, tokens, stamp, not_before, lease starts


class TooMany(Busy):
    """This client asked too often, or has too many questions in flight: wait and ask again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.args = (msg.TOO_MANY_QUESTIONS.format(seconds=retry_after),)


@dataclass(frozen=True)
class Verdict:
    """Admitted (``lease`` to give back with ``done``), or refused for ``wait`` seconds;
    ``early``: the client came back before it was told to."""

    admitted: bool
    wait: float = 0.0
    early: bool = False
    lease: tuple[int, int, float, int] | None = None  # slot, lease, start, client key

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.wait))


def client_key(address: str) -> str:
    """What one client is: its IPv4 address, or the /64 of its IPv6 address."""
    if ":" not in address:
        return address  # IPv4 (or a test client's name): as it is
    try:
        ip = ipaddress.IPv6Address(address.split("%")[0])
    except ValueError:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))


class Admission:
    """Per-client token buckets and in-flight caps, shared by every worker that opens
    ``path`` (None: this process only)."""

    def __init__(self, rate: float, burst: float, in_flight: int, path: Path | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.rate, self.burst = rate, max(1.0, burst)
        self.in_flight = min(LEASES, max(1, in_flight))
        self._clock, self._lock = clock, threading.Lock()
        self._fd, self._map = _open_table(path)
        self._salt = bytes(self._map[len(_MAGIC):len(_MAGIC) + 16])
        self._slots = (len(self._map) - _HEADER) // _SLOT.size
        self.refused = 0  # questions of this process refused for their client's share

    # -- the three questions the front door asks ----------------------------------------
    def admit(self, client: str, cost: float = 1.0) -> Verdict:
        """Take a token and a lease for one question of ``client``, or say how long to wait."""
        key, now = self._key(client), self._clock()
        with self._locked():
            at, (_, tokens, stamp, not_before, *leases) = self._find(key, now)
            tokens = min(self.burst, tokens + max(0.0, now - stamp) * self.rate)
            live = [t for t in leases if t > now - STALE]
            if now < not_before:
                verdict = Verdict(False, not_before - now, early=True)
            elif len(live) >= self.in_flight:
                verdict = Verdict(False, 1.0)
            elif tokens < cost:
                verdict = Verdict(False, (cost - tokens) / self.rate)
            else:
                tokens -= cost
                j = next(j for j, t in enumerate(leases) if t <= now - STALE)
                leases[j] = now
                verdict = Verdict(True, lease=(at, j, now, key))
            if not verdict.admitted:
                self.refused += 1
            if not verdict.admitted and not verdict.early:
                not_before = now + verdict.retry_after  # what the client is told
            _SLOT.pack_into(self._map, _HEADER + at * _SLOT.size, key, tokens, now,
                            not_before, *leases)
        return verdict

    def done(self, lease: tuple[int, int, float, int] | None) -> None:
        """The admitted question is over: its lease no longer counts."""
        if lease is None:
            return
        at, j, started, key = lease
        offset = _HEADER + at * _SLOT.size
        with self._locked():
            values = list(_SLOT.unpack_from(self._map, offset))
            if values[0] == key and values[4 + j] == started:  # not reused meanwhile
                values[4 + j] = 0.0
                _SLOT.pack_into(self._map, offset, *values)

    def told(self, client: str, seconds: float) -> None:
        """``client`` was told to wait ``seconds`` (a 503, or a refusal it came early for):
        coming back sooner counts as early."""
        key, now = self._key(client), self._clock()
        with self._locked():
            at, values = self._find(key, now)
            values[3] = max(values[3], now + seconds)
            _SLOT.pack_into(self._map, _HEADER + at * _SLOT.size, *values)

    def early(self, client: str) -> float:
        """Seconds until ``client`` may ask again (0: now)."""
        key, now = self._key(client), self._clock()
        with self._locked():
            _, values = self._find(key, now)
        return max(0.0, values[3] - now)

    @contextlib.contextmanager
    def question(self, client: str) -> Iterator[None]:
        """Hold a lease for the block (threads: the chat); ``TooMany`` when refused."""
        verdict = self.admit(client)
        if not verdict.admitted:
            raise TooMany(verdict.retry_after)
        try:
            yield
        finally:
            self.done(verdict.lease)

    # -- the table -----------------------------------------------------------------------
    def _key(self, client: str) -> int:
        digest = hashlib.blake2b(client_key(client).encode("utf-8", "replace"),
                                 digest_size=8, key=self._salt).digest()
        return int.from_bytes(digest, "little") or 1  # 0 marks an empty slot

    def _find(self, key: int, now: float) -> tuple[int, list]:
        """The slot of ``key``, or one to give it (lock held): an empty one, one whose client
        is back to a fresh state, else the one used longest ago."""
        start, spare, oldest = key % self._slots, None, None
        for step in range(PROBES):
            at = (start + step) % self._slots
            values = list(_SLOT.unpack_from(self._map, _HEADER + at * _SLOT.size))
            if values[0] == key:
                return at, values
            if spare is None and self._idle(values, now):
                spare = at
            if oldest is None or values[2] < oldest[1]:
                oldest = (at, values[2])
        at = spare if spare is not None else oldest[0]
        return at, [key, self.burst, now, 0.0] + [0.0] * LEASES

    def _idle(self, values: list, now: float) -> bool:
        """Forgetting this client changes nothing: full bucket, nothing owed, nothing live."""
        key, tokens, stamp, not_before, *leases = values
        return key == 0 or (not_before <= now and all(t <= now - STALE for t in leases)
                            and tokens + (now - stamp) * self.rate >= self.burst)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            if self._fd is None:
                yield
                return
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


def _open_table(path: Path | None) -> tuple[int | None, mmap.mmap]:
    """The shared table: mapped from ``path`` (created, with its salt, by the first worker),
    or anonymous."""
    size = _HEADER + SLOTS * _SLOT.size
    if path is None:
        table = mmap.mmap(-1, size)
        table[:len(_MAGIC) + 16] = _MAGIC + secrets.token_bytes(16)
        return None, table
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        if os.pread(fd, len(_MAGIC), 0) != _MAGIC or os.fstat(fd).st_size != size:
            os.ftruncate(fd, 0)  # new, or from another version: start afresh
            os.ftruncate(fd, size)
            os.pwrite(fd, _MAGIC + secrets.token_bytes(16), 0)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
    return fd, mmap.mmap(fd, size)
