"""Serving many people on few cores: one admission gate.

- ``Gate``: at most ``slots`` queries compute at once in this process (about the number of
  cores); a request waits at most ``wait`` seconds for a slot, then is told to come back
  (HTTP 503 with ``Retry-After``; the chat says so politely). One that clearly would not get
  a slot in time, by the gate's measured pace, is told so at once instead of after waiting.
  Nothing hangs and nothing piles up: the HTTP API and the Gradio chat draw from the same gate.
"""
from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator

from ..errors import AskpostsError
from ..spanish import messages as msg

BUSY = msg.BUSY


class Busy(AskpostsError):
    """No slot freed up in time: come back in a few seconds."""

    def __init__(self, retry_after: int = 2) -> None:
        super().__init__(BUSY)
        self.retry_after = retry_after


class _Waiter:
    """One request in the queue; ``wake`` tells it that a slot was handed to it."""

    __slots__ = ("granted", "wake")

    def __init__(self, wake: Callable[[], None]) -> None:
        self.granted = False
        self.wake = wake


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


class Gate:
    """A bounded number of queries in flight, with a short bounded wait for a slot.

    Waiting requests form one first-come first-served queue, threads (the chat's handlers)
    and coroutines (the HTTP API) alike. A finished query hands its slot straight to the
    oldest waiter, which is woken, never polled: under overload the event loop does not
    spin on sleeping waiters.
    """

    def __init__(self, slots: int, wait: float, queue: int = 32,
                 clock: Callable[[], float] = time.monotonic, pace_after: int = 16) -> None:
        self.slots, self.wait, self._clock = max(1, slots), max(0.0, wait), clock
        self.queue = max(0, queue)  # requests allowed to wait; past that, refused at once
        # Hand-overs measured before the pace may refuse anyone early. Gaps are uneven (a
        # question's first answer loads what later ones reuse: one long gap, then short
        # ones). Trusting the first gap of a rush refused people who would have been served.
        self.pace_after = max(1, pace_after)
        self._free = self.slots
        self._waiters: deque[_Waiter] = deque()
        self._lock = threading.Lock()
        self.in_flight = 0
        self.refused = 0
        # Seconds between hand-overs while requests wait (a running mean; 0: not measured
        # since the queue last emptied): how fast the queue moves now.
        self.pace = 0.0
        self._gaps = 0  # gaps the pace was measured from since the queue formed
        self._handed_at: float | None = None

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot now."""
        return len(self._waiters)

    @property
    def retry_after(self) -> int:
        """Seconds a refused request is told to wait: twice the longest wait for a slot."""
        return max(1, round(self.wait * 2))

    def _busy(self) -> Busy:
        return Busy(self.retry_after)

    def _enter(self, waiter: _Waiter) -> bool:
        """Take a free slot (True) or join the queue (False); ``Busy`` when it is full."""
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                self.in_flight += 1
                return True
            if self._full():
                self.refused += 1  # enough people already wait, or too slow to wait: say so now
                raise self._busy()
            self._waiters.append(waiter)
            return False

    def _full(self) -> bool:
        """A newcomer would not get a slot in time (lock held)."""
        if self._free and not self._waiters:
            return False
        ahead = len(self._waiters)
        # The pace is noisy (one slow question): refuse early only when clearly hopeless.
        hopeless = self._gaps >= self.pace_after and (ahead + 1) * self.pace > 1.5 * self.wait
        return self.wait <= 0 or ahead >= self.queue or hopeless

    def refuse_now(self) -> bool:
        """True (and counted as refused) when a request arriving now would be refused: the
        front door answers 503 before reading anything else of the request, so a flood
        costs next to nothing and the admitted questions keep the cores."""
        with self._lock:
            if self._full():
                self.refused += 1
                return True
            return False

    def _leave(self, waiter: _Waiter) -> bool:
        """A waiter gives up; True when a slot reached it meanwhile (it must use or release it)."""
        with self._lock:
            if waiter.granted:
                return True
            self._waiters.remove(waiter)
            self.refused += 1
            return False

    def release(self) -> None:
        """Give the slot back: to the oldest waiter, else to the pool."""
        with self._lock:
            self.in_flight -= 1
            while self._waiters:
                waiter = self._waiters.popleft()
                try:
                    waiter.wake()
                except RuntimeError:  # its event loop is gone: nobody to hand the slot to
                    continue
                waiter.granted = True
                self.in_flight += 1
                self._measure_pace()
                return
            self._free += 1
            self.pace, self._gaps, self._handed_at = 0.0, 0, None  # the next rush is new

    def _measure_pace(self) -> None:
        """Between two hand-overs the gate was busy throughout: their gap is its pace."""
        now = self._clock()
        if self._handed_at is not None:
            self._gaps += 1
            # A plain mean of the first gaps, then a running mean that follows the load.
            self.pace += max(0.1, 1.0 / self._gaps) * (now - self._handed_at - self.pace)
        self._handed_at = now

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for the block (threads: the chat's handlers); ``Busy`` if none."""
        event = threading.Event()
        waiter = _Waiter(event.set)
        if not self._enter(waiter) and not event.wait(self.wait) and not self._leave(waiter):
            raise self._busy()
        try:
            yield
        finally:
            self.release()

    async def acquire(self) -> None:
        """Take a slot from async code without blocking the event loop; ``Busy`` if none."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        waiter = _Waiter(lambda: loop.call_soon_threadsafe(_resolve, future))
        if self._enter(waiter):
            return
        try:
            await asyncio.wait_for(future, self.wait)
        except TimeoutError:
            if not self._leave(waiter):
                raise self._busy() from None
        except asyncio.CancelledError:  # the request was cancelled while it waited
            if self._leave(waiter):
                self.release()
            raise
