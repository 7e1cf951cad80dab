"""The content-gap report: what people asked that the posts did not answer, grouped by meaning.

Questions are grouped by their vectors (the ones computed to answer them; missing ones are
computed here): average-linkage clustering on cosine distance, so that «¿cuándo es la próxima
convocatoria?» and «¿cuándo abren la convocatoria?» land in one group. Each group says how
often it was asked, when first and last, a few examples, the feedback it got and the posts
closest to it (what staff would update, or where a new post is missing).

A month of a public chat holds tens of thousands of questions, and exact clustering costs the
square of their number, so the report clusters in parts: repeated questions count once, k-means
cuts the rest into parts of at most ``BUCKET`` questions (paraphrases are close, so they share
a part), each part is clustered exactly, and the groups of different parts whose centres are
close are merged the same way. 100,000 logged questions take about a second
(``benchmarks/bench_gaps.py``).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .log import LoggedQuestion
from .wordings import Wording, of_rows

if TYPE_CHECKING:
    from ..index import Index

# Average cosine distance under which questions are one group. Measured on e5-small with 12
# hand-written questions (4 meanings x 3 wordings): paraphrases 0.007-0.136 (median 0.07),
# different meanings >= 0.083 (all but one pair >= 0.14). The ranges overlap: strongly reworded
# paraphrases («vacantes» / «plazas de empleo») may stay apart (docs/question-log.md).
DISTANCE = 0.10
BUCKET = 600  # questions clustered exactly together at most (the cost is its square)


@dataclass
class Gap:
    """One group of questions that mean the same."""

    count: int
    examples: list[str]
    first_seen: str
    last_seen: str
    useful: int = 0
    not_useful: int = 0
    comments: list[str] = field(default_factory=list)
    closest: list[dict] = field(default_factory=list)  # {"title", "url", "path"}
    questions: list[LoggedQuestion] = field(default_factory=list, repr=False)
    wordings: list[str] = field(default_factory=list, repr=False)  # as asked, first first

    def to_dict(self) -> dict:
        """JSON-ready, without the rows themselves."""
        return {"count": self.count, "examples": self.examples, "first_seen": self.first_seen,
                "last_seen": self.last_seen, "useful": self.useful,
                "not_useful": self.not_useful, "comments": self.comments,
                "closest": self.closest}


def cluster(vectors: np.ndarray, distance: float = DISTANCE) -> np.ndarray:
    """A group label per row (rows are L2-normalised vectors): exact average linkage."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    # Cosine distances of unit vectors by one matrix product (4x faster than pdist's loop).
    distances = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False).astype(np.float64), method="average")
    return fcluster(tree, distance, criterion="distance") - 1


def _parts(vectors: np.ndarray, size: int, rounds: int = 4) -> list[np.ndarray]:
    """Row ids of ``vectors`` in parts of at most ``size``: a few rounds of k-means (seeded
    with evenly spaced rows: deterministic) when the bucket is big."""
    if len(vectors) <= size:
        return [np.arange(len(vectors))]
    k = -(-2 * len(vectors) // size)  # parts of half the size: k-means parts are uneven
    centres = vectors[np.linspace(0, len(vectors) - 1, k).astype(int)]
    for _ in range(rounds):
        labels = np.argmax(vectors @ centres.T, axis=1)
        sizes = np.bincount(labels, minlength=k)[:, None]
        means = _sums(labels, vectors, k) / np.maximum(sizes, 1).astype(np.float32)
        centres = np.where(sizes > 0, means, centres)  # an empty part keeps its centre
    labels = np.argmax(vectors @ centres.T, axis=1)
    return [p for c in range(k) for p in _split(np.flatnonzero(labels == c), size)]


def _split(ids: np.ndarray, size: int) -> list[np.ndarray]:
    return [ids[i:i + size] for i in range(0, len(ids), size)] if len(ids) else []


def group(vectors: np.ndarray, distance: float = DISTANCE, size: int = BUCKET) -> np.ndarray:
    """A group label per row. Up to ``size`` rows: exact clustering. More: k-means parts of
    at most ``size`` rows are clustered exactly, then the groups of different parts that mean
    the same (their centres are within ``distance``) are merged the same way."""
    parts = _parts(vectors, size)
    labels = np.zeros(len(vectors), dtype=int)
    first = 0
    for part in parts:
        found = cluster(vectors[part], distance)
        labels[part] = found + first
        first += int(found.max()) + 1
    if len(parts) == 1 or first == len(vectors):
        return labels
    centres = _sums(labels, vectors, first)
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    return group(centres, distance, size)[labels]


def _sums(labels: np.ndarray, rows: np.ndarray, count: int) -> np.ndarray:
    """The sum of ``rows`` by label (``count`` labels), as a sparse one-hot product
    (``np.add.at`` takes twenty times as long)."""
    from scipy.sparse import csr_matrix

    onehot = csr_matrix((np.ones(len(labels), np.float32), (labels, np.arange(len(labels)))),
                        shape=(count, len(labels)))
    return np.asarray(onehot @ rows, np.float32)


def _nearest(vectors: np.ndarray, anchors: np.ndarray, k: int = 1, chunk: int = 8192
             ) -> np.ndarray:
    """The ``k`` anchors most similar to each row, best first."""
    out = []
    for i in range(0, len(vectors), chunk):
        sims = vectors[i:i + chunk] @ anchors.T
        best = np.argpartition(-sims, min(k, sims.shape[1]) - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, best, axis=1), axis=1)
        out.append(np.take_along_axis(best, order, axis=1))
    return np.concatenate(out) if out else np.zeros((0, k), dtype=int)


def _vectors(texts: list[Wording], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    missing = [a for a in texts if a.vector is None]
    if missing:
        for a, vec in zip(missing, embed([a.question for a in missing])):
            a.vector = vec
    return np.stack([a.vector for a in texts]).astype(np.float32)


def content_gaps(rows: list[LoggedQuestion], index: "Index", distance: float = DISTANCE,
                 closest: int = 3, top: int | None = None) -> list[Gap]:
    """Groups of ``rows`` by meaning, most asked first, each with the posts closest to it and
    its rows; ``top``: only the largest (the others are not described)."""
    gaps = largest_gaps(of_rows(rows), index, distance, closest, top)
    of_text = {q: g for g in gaps for q in g.wordings}
    for r in rows:
        gap = of_text.get(r.question)
        if gap is not None:
            gap.questions.append(r)
            if r.comment and len(gap.comments) < 5:
                gap.comments.append(r.comment)
    return gaps


def largest_gaps(asked: list[Wording], index: "Index", distance: float = DISTANCE,
                 closest: int = 3, top: int | None = None,
                 comments: Sequence[tuple[str, str]] = ()) -> list[Gap]:
    """Groups of the wordings ``asked`` (first asked first) by meaning, most asked first;
    ``top``: only the largest are described (the others cost a third of the time);
    ``comments``: (question, comment) pairs, the first five of a group's shown with it."""
    if not asked:
        return []
    gen = index.generation
    # Wordings that differ only in case or spacing are one: counted together, one vector.
    same: dict[str, list[int]] = {}
    for i, a in enumerate(asked):
        same.setdefault(" ".join(a.question.casefold().split()), []).append(i)
    groups = list(same.values())
    vecs = _vectors([asked[ids[0]] for ids in groups], index.embedder.embed_queries)
    counts = np.array([sum(asked[i].count for i in ids) for ids in groups], np.float32)
    labels = np.unique(group(vecs, distance), return_inverse=True)[1]
    centres = _sums(labels, vecs, int(labels.max()) + 1)  # each wording once: the posts
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    asked_most = _sums(labels, vecs * counts[:, None], len(centres))  # as often as asked
    near = _nearest(centres, gen.vectors.vectors().astype(np.float32), k=8 * closest)
    members: list[list[int]] = [[] for _ in range(len(centres))]
    for n, label in enumerate(labels):
        members[label].append(n)
    last = [max(asked[i].last_seen for n in m for i in groups[n]) for m in members]
    chosen = sorted(range(len(members)),
                    key=lambda g: (-float(counts[members[g]].sum()), last[g]))[:top]
    gaps = []
    for g in chosen:
        heads = members[g]
        central = asked[groups[heads[int(np.argmax(vecs[heads] @ asked_most[g]))]][0]]
        texts = [asked[i] for i in sorted(i for n in heads for i in groups[n])]
        gaps.append(_gap(texts, central, gen, near[g], closest, comments))
    return gaps


def _gap(texts: list[Wording], central: Wording, gen, near: np.ndarray, closest: int,
         comments: Sequence[tuple[str, str]]) -> Gap:
    mine = {a.question for a in texts}
    posts = list(dict.fromkeys(int(gen.passage_post[p]) for p in near))[:closest]
    return Gap(count=sum(a.count for a in texts),
               examples=[central.question] + [a.question for a in texts
                                              if a is not central][:3],
               first_seen=min(a.first_seen for a in texts),
               last_seen=max(a.last_seen for a in texts),
               useful=sum(a.useful for a in texts),
               not_useful=sum(a.not_useful for a in texts),
               comments=[c for q, c in comments if q in mine][:5],
               closest=[{"title": gen.posts[p].title, "url": gen.posts[p].url,
                         "path": gen.posts[p].path} for p in posts],
               wordings=[a.question for a in texts])
