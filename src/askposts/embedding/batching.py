"""Questions that wait together are encoded together.

When many people ask at once, most requests wait in the admission queue (``serving.gate.Gate``)
for a slot. A request announces its question while it waits (``expecting``). The next
request that needs a vector nobody has computed encodes its own question *and* the
announced ones in one forward pass (at most ``size`` of them), and keeps them all in the
vector cache. By the time a waiting request gets its slot, its vector is usually ready.

On this 2-core machine a padded pass costs 5-7 ms per question (batches of 4 to 32) against
13-17 ms for a question alone, so a burst of 50 new questions is answered 1.3-1.7 times
faster (the cold bursts of benchmarks/bench_load.py).
A question asked alone is encoded alone, exactly as before; no request ever waits for
others to arrive. Work stays bounded: only slot holders encode, and a batch has at most
``size`` questions.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from ..caching import LRU


class _Batch:
    """One forward pass in progress: those who need one of its questions wait for it."""

    __slots__ = ("done", "vectors")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.vectors: dict[str, np.ndarray] = {}


class QuestionBatcher:
    """Vectors of questions, computed in batches with the questions people wait on."""

    def __init__(self, encode: Callable[[Sequence[str]], np.ndarray], cache: LRU,
                 size: int = 16) -> None:
        self._encode, self._cache, self.size = encode, cache, max(1, size)
        self._expected: dict[str, int] = {}  # question -> requests waiting to ask it
        self._running: dict[str, _Batch] = {}  # question -> the pass computing it now
        self._lock = threading.Lock()
        self.passes = 0  # forward passes run (for tests and benchmarks)
        self.encoded = 0  # questions encoded in them

    @contextlib.contextmanager
    def expecting(self, question: str) -> Iterator[None]:
        """While the block runs, ``question`` may be encoded with someone else's."""
        with self._lock:
            self._expected[question] = self._expected.get(question, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._expected.pop(question) - 1
                if left:
                    self._expected[question] = left

    def vector(self, question: str) -> np.ndarray:
        """The vector of ``question``: cached, being computed (then wait), or computed now."""
        while True:
            vec = self._cache.get(question)
            if vec is not None:
                return vec
            with self._lock:
                running = self._running.get(question)
                if running is None:
                    batch, texts = self._start(question)
            if running is None:
                return self._run(batch, texts)[question]
            running.done.wait()
            if question in running.vectors:  # else that pass failed: try again ourselves
                return running.vectors[question]

    def _start(self, question: str) -> tuple[_Batch, list[str]]:
        """Claim ``question`` and the waiting ones nobody computes yet (lock held)."""
        texts = [question]
        # Without a cache the others' vectors could not be kept for them: encode ours only.
        for other in self._expected if self._cache.size > 0 else ():
            if len(texts) >= self.size:
                break
            if other != question and other not in self._running and other not in self._cache:
                texts.append(other)
        batch = _Batch()
        for text in texts:
            self._running[text] = batch
        return batch, texts

    def _run(self, batch: _Batch, texts: list[str]) -> dict[str, np.ndarray]:
        try:
            vecs = self._encode(texts)
            batch.vectors = {t: np.asarray(v, dtype=np.float32) for t, v in zip(texts, vecs)}
            for text, vec in batch.vectors.items():
                self._cache.put(text, vec)
            return batch.vectors
        finally:
            with self._lock:
                self.passes, self.encoded = self.passes + 1, self.encoded + len(texts)
                for text in texts:
                    self._running.pop(text, None)
            batch.done.set()
