"""The vector store behind an index: a narrow interface, and its FAISS implementation.

Everything else talks to ``VectorBackend`` only, so FAISS can be swapped for a server engine
(pgvector, Qdrant, ...) by writing one class with these five methods.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    import faiss


class VectorBackend(Protocol):
    dim: int

    def add(self, vectors: np.ndarray) -> None:
        """Append rows; row i of all additions so far is passage id i."""

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(scores, ids)`` of the ``k`` best rows by inner product, best first."""

    def vectors(self) -> np.ndarray:
        """All stored rows, in id order (used to reuse unchanged passages' vectors)."""

    def save(self, folder: Path) -> None: ...

    def __len__(self) -> int: ...


class FaissBackend:
    """Exact inner-product search (vectors are L2-normalised, so this is cosine)."""

    FILE = "vectors.faiss"

    def __init__(self, dim: int, index: "faiss.Index | None" = None) -> None:
        import faiss

        self.dim = dim
        self._index = index if index is not None else faiss.IndexFlatIP(dim)

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores, ids = self._index.search(np.ascontiguousarray(query[None, :], np.float32), k)
        return scores[0], ids[0]

    def vectors(self) -> np.ndarray:
        if not len(self):
            return np.zeros((0, self.dim), np.float32)
        return self._index.reconstruct_n(0, len(self))

    def save(self, folder: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(folder / self.FILE))

    @classmethod
    def load(cls, folder: Path) -> "FaissBackend":
        import faiss

        index = faiss.read_index(str(folder / cls.FILE))
        return cls(index.d, index)

    def __len__(self) -> int:
        return int(self._index.ntotal)
