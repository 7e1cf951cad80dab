"""The vector stores behind an index: a narrow interface and two implementations.

Everything else talks to ``VectorBackend`` only, so FAISS can be swapped for a server engine
(pgvector, Qdrant, ...) by writing one class with these methods. ``passage_backend`` and
``window_backend`` pick the kind by size: exact search below ``AnnParams.threshold`` vectors, HNSW above it (measured in
``benchmarks/bench_scale.py``: exact costs ~0.15 µs per vector per query, 15 ms at 100k and
138 ms at 1M; HNSW M=32, ef=128 answers in < 0.5 ms with recall@10 >= 0.98).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    import faiss

# With a filter that admits few rows, scoring exactly those rows beats walking a graph.
EXACT_FILTERED = 20_000


@dataclass(frozen=True)
class AnnParams:
    """When and how an index becomes approximate (recorded in the manifest)."""

    threshold: int = 100_000  # vectors; below this search is exact
    m: int = 32  # HNSW links per node
    ef_construction: int = 80
    ef_search: int = 128

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def of(cls, settings: object) -> "AnnParams":
        """From a ``Settings`` (``ann_threshold``, ``hnsw_m``, ``hnsw_ef_*``)."""
        return cls(settings.ann_threshold, settings.hnsw_m, settings.hnsw_ef_construction,
                   settings.hnsw_ef_search)


class VectorBackend(Protocol):
    dim: int

    def add(self, vectors: np.ndarray) -> None:
        """Append rows; row i of all additions so far is id i."""

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """``(scores, ids)`` of the ``k`` best rows by inner product, best first; only ids
        in ``allowed`` (sorted ids) when it is given."""

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids``."""

    def scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Exact inner products of ``query`` with the rows ``ids`` (to rescore candidates)."""

    def vectors(self) -> np.ndarray:
        """All stored rows, in id order (used to reuse unchanged passages' vectors)."""

    def params(self) -> dict:
        """What kind of index this is, for the manifest."""

    def save(self, folder: Path) -> None: ...

    def __len__(self) -> int: ...


def _best(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    if len(scores) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        scores, ids = scores[keep], ids[keep]
    order = np.argsort(-scores, kind="stable")
    return scores[order].astype(np.float32), ids[order].astype(np.int64)


def _scores(matrix: np.ndarray, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
    # Gathering rows copies them: for a large share of the matrix one pass over it is cheaper.
    if 3 * len(ids) > len(matrix):
        return (matrix @ query)[ids]
    return matrix[ids] @ query


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.float32), np.zeros(0, np.int64)


class ArrayBackend:
    """Exact search over a numpy matrix it does not copy (the window vectors)."""

    def __init__(self, matrix: np.ndarray) -> None:
        self._m = matrix
        self.dim = int(matrix.shape[1]) if matrix.ndim == 2 else 0

    def add(self, vectors: np.ndarray) -> None:
        self._m = np.vstack([self._m, vectors]).astype(np.float32)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        if k <= 0 or not len(self._m):
            return _empty()
        if allowed is None:
            return _best(self._m @ query, np.arange(len(self._m)), k)
        return _best(_scores(self._m, query, allowed), np.asarray(allowed), k) \
            if len(allowed) else _empty()

    def rows(self, ids: np.ndarray) -> np.ndarray:
        return self._m[ids]

    def scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        return _scores(self._m, query, ids)

    def vectors(self) -> np.ndarray:
        return self._m

    def params(self) -> dict:
        return {"kind": "exact"}

    def save(self, folder: Path) -> None:
        """Nothing: the matrix is saved by its owner."""

    def __len__(self) -> int:
        return len(self._m)


class FaissBackend:
    """FAISS inner-product search (vectors are L2-normalised, so this is cosine): exact
    (``IndexFlatIP``) or HNSW (``IndexHNSWFlat``)."""

    FILE = "vectors.faiss"

    def __init__(self, dim: int, index: "faiss.Index | None" = None,
                 file: str = FILE) -> None:
        import faiss

        self.dim, self.file = dim, file
        self._index = index if index is not None else faiss.IndexFlatIP(dim)

    @classmethod
    def hnsw(cls, dim: int, ann: AnnParams, file: str = FILE) -> "FaissBackend":
        import faiss

        index = faiss.IndexHNSWFlat(dim, ann.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction, index.hnsw.efSearch = ann.ef_construction, ann.ef_search
        return cls(dim, index, file)

    @property
    def approximate(self) -> bool:
        return hasattr(self._index, "hnsw")

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        import faiss

        k = min(k, len(self) if allowed is None else len(allowed))
        if k <= 0:
            return _empty()
        if allowed is not None and len(allowed) <= EXACT_FILTERED:
            return _best(self.scores(query, allowed), np.asarray(allowed), k)
        sel = faiss.IDSelectorBatch(np.asarray(allowed, np.int64)) if allowed is not None \
            else None
        if self.approximate:  # the graph must keep at least k candidates in its queue
            params = faiss.SearchParametersHNSW(efSearch=max(self._index.hnsw.efSearch, k))
            if sel is not None:
                params.sel = sel
        else:
            params = faiss.SearchParameters(sel=sel) if sel is not None else None
        scores, ids = self._index.search(np.ascontiguousarray(query[None, :], np.float32), k,
                                         params=params)
        found = ids[0] >= 0
        return scores[0][found], ids[0][found]

    def _matrix(self) -> np.ndarray:
        """The stored vectors as a numpy view, no copy: use it at once (``add`` moves them)."""
        import faiss

        if not len(self):
            return np.zeros((0, self.dim), np.float32)
        flat = faiss.downcast_index(self._index.storage) if self.approximate else self._index
        return faiss.rev_swig_ptr(flat.get_xb(), len(self) * self.dim).reshape(len(self),
                                                                                self.dim)

    def rows(self, ids: np.ndarray) -> np.ndarray:
        return self._matrix()[np.asarray(ids, np.int64)]

    def scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        return _scores(self._matrix(), query, np.asarray(ids, np.int64))

    def vectors(self) -> np.ndarray:
        return self._matrix().copy()

    def params(self) -> dict:
        if not self.approximate:
            return {"kind": "exact"}
        h = self._index.hnsw
        return {"kind": "hnsw", "m": int(self._index.hnsw.nb_neighbors(1)),
                "ef_construction": int(h.efConstruction), "ef_search": int(h.efSearch)}

    def save(self, folder: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(folder / self.file))

    @classmethod
    def load(cls, folder: Path, file: str = FILE) -> "FaissBackend":
        import faiss

        index = faiss.read_index(str(folder / file))
        return cls(index.d, index, file)

    def __len__(self) -> int:
        return int(self._index.ntotal)


def passage_backend(vectors: np.ndarray, ann: AnnParams) -> FaissBackend:
    """The passages' index: exact below ``ann.threshold`` rows, HNSW above."""
    dim = int(vectors.shape[1])
    backend = FaissBackend(dim) if len(vectors) < ann.threshold else FaissBackend.hnsw(dim, ann)
    backend.add(vectors)
    return backend


WINDOWS_FILE = "windows.faiss"


def window_backend(matrix: np.ndarray, ann: AnnParams) -> VectorBackend:
    """The answer windows' index: the matrix itself below ``ann.threshold`` rows, HNSW above."""
    if len(matrix) < ann.threshold:
        return ArrayBackend(matrix)
    backend = FaissBackend.hnsw(int(matrix.shape[1]), ann, WINDOWS_FILE)
    backend.add(matrix)
    return backend
