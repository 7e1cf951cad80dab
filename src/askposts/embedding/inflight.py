"""A question's vector, computed once however many people ask it at the same moment.

Each question is encoded alone (``base.TextEncoder``: a vector never depends on what else
was being asked), so the only work to share is the same question asked twice at once (a
shared link, a widget's suggested question): the first request encodes it, the others wait
for that pass instead of repeating it, and the vector is kept in the cache.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from ..caching import LRU


class _Pass:
    """One question being encoded: those who need it wait for it."""

    __slots__ = ("done", "vector")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.vector: np.ndarray | None = None


class QuestionVectors:
    """Vectors of questions: cached, being computed by another request (wait), or now."""

    def __init__(self, encode: Callable[[str], np.ndarray], cache: LRU) -> None:
        self._encode, self._cache = encode, cache
        self._running: dict[str, _Pass] = {}  # question -> the pass computing it now
        self._lock = threading.Lock()
        self.passes = 0  # questions encoded (for tests and benchmarks)

    def vector(self, question: str) -> np.ndarray:
        while True:
            vec = self._cache.get(question)
            if vec is not None:
                return vec
            with self._lock:
                running = self._running.get(question)
                if running is None:
                    mine = self._running[question] = _Pass()
            if running is None:
                return self._run(question, mine)
            running.done.wait()
            if running.vector is not None:  # else that pass failed: try again ourselves
                return running.vector

    def _run(self, question: str, mine: _Pass) -> np.ndarray:
        try:
            mine.vector = np.asarray(self._encode(question), dtype=np.float32)
            self._cache.put(question, mine.vector)
            return mine.vector
        finally:
            with self._lock:
                self.passes += 1
                self._running.pop(question, None)
            mine.done.set()
