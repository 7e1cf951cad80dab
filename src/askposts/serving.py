"""Serving many people on few cores: one admission gate and small caches.

- ``Gate``: at most ``slots`` queries compute at once in this process (about the number of
  cores); a request waits at most ``wait`` seconds for a slot, then is told, at once, to come
  back (HTTP 503 with ``Retry-After``; the chat says so politely). Nothing hangs and nothing
  piles up: the HTTP API and the Gradio chat draw from the same gate.
- ``LRU``: a small thread-safe least-recently-used cache (question vectors, answers).
"""
from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import OrderedDict

from .errors import AskpostsError

BUSY = ("Hay muchas personas preguntando en este momento. Vuelva a intentarlo en unos "
        "segundos.")


class Busy(AskpostsError):
    """No slot freed up in time: come back in a few seconds."""

    def __init__(self, retry_after: int = 2) -> None:
        super().__init__(BUSY)
        self.retry_after = retry_after


class Gate:
    """A bounded number of queries in flight, with a short bounded wait for a slot."""

    def __init__(self, slots: int, wait: float, queue: int = 32) -> None:
        self.slots, self.wait = max(1, slots), max(0.0, wait)
        self.queue = max(0, queue)  # requests allowed to wait; past that, refused at once
        self.waiting = 0
        self._sem = threading.BoundedSemaphore(self.slots)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.refused = 0

    def _taken(self) -> None:
        with self._lock:
            self.in_flight += 1

    def release(self) -> None:
        with self._lock:
            self.in_flight -= 1
        self._sem.release()

    def _refuse(self) -> Busy:
        with self._lock:
            self.refused += 1
        return Busy(max(1, round(self.wait * 2)))

    @contextlib.contextmanager
    def slot(self):
        """Hold a slot for the block (threads: the chat's handlers); ``Busy`` if none."""
        if not self._sem.acquire(timeout=self.wait):
            raise self._refuse()
        self._taken()
        try:
            yield
        finally:
            self.release()

    async def acquire(self) -> None:
        """Take a slot from async code without blocking the event loop; ``Busy`` if none."""
        if self._sem.acquire(blocking=False):
            self._taken()
            return
        with self._lock:
            full = self.waiting >= self.queue
            if not full:
                self.waiting += 1
        if full:  # enough people already wait: say so now rather than make everyone slow
            raise self._refuse()
        try:
            deadline, pause = time.monotonic() + self.wait, 0.002
            while not self._sem.acquire(blocking=False):
                if time.monotonic() >= deadline:
                    raise self._refuse()
                await asyncio.sleep(pause)
                pause = min(0.02, pause * 1.5)
        finally:
            with self._lock:
                self.waiting -= 1
        self._taken()


class LRU:
    """A thread-safe least-recently-used map of at most ``size`` entries (0: no cache)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
            return None

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
