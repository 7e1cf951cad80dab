"""The Index's caches: question vectors and whole answers, least recently used first out.

A public chat sees the same questions again and again: a repeated one skips the encoder, and
an answer is reused while the generation it came from is the published one.
"""
from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from cachetools import LRUCache


class LRU:
    """A thread-safe map of at most ``size`` entries (0: no cache) that counts its hits."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: LRUCache = LRUCache(maxsize=max(1, size))
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any:
        """The value (now the most recently used), or ``None``."""
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value``; the least recently used entry goes when the cache is full."""
        if self.size > 0:
            with self._lock:
                self._data[key] = value

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()

    def __contains__(self, key: Hashable) -> bool:  # a peek: no hit, no miss, no reordering
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        return len(self._data)
