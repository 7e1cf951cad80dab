"""A deterministic stand-in for the embedding model: hashed bags of words, no download.

Texts that share words get close vectors, so ranking, answers, the CLI, the HTTP API and the
UI can be tested in milliseconds without the real model (``pytest -m "not slow"``). Never use
it to serve people: it knows nothing of meaning.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np

from ..spanish.words import fold

_WORD = re.compile(r"[a-z0-9]+")


class HashEmbedder:
    """Each folded word adds ±1 to one of ``dim`` coordinates chosen by its hash."""

    precision = "fp32"
    stand_in = True  # answering.reader pairs it with the stand-in reader

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.model_id = f"askposts/hash-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(fold(text)):
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 40) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:  # no words: a fixed unit vector, never NaN
            vec[0], norm = 1.0, 1.0
        return vec / norm

    def embed_query(self, text: str) -> np.ndarray:
        """The vector of one question."""
        return self._vector(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of many questions (rows in order)."""
        return np.stack([self._vector(t) for t in texts]) if texts \
            else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts: Sequence[str],
                       progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors of many passages; ``progress(n)`` once at the end."""
        out = self.embed_queries(texts)
        if progress:
            progress(len(texts))
        return out
