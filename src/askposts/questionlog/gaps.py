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

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..serving.render import safe_cell
from .log import LoggedQuestion

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
        for c in range(k):
            mine = vectors[labels == c]
            if len(mine):
                centres[c] = mine.mean(axis=0)
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
    centres = np.zeros((first, vectors.shape[1]), np.float32)
    np.add.at(centres, labels, vectors)
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    return group(centres, distance, size)[labels]


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


def _vectors(rows: list[LoggedQuestion], embed: Callable[[list[str]], np.ndarray]
             ) -> np.ndarray:
    missing = [i for i, r in enumerate(rows) if r.vector is None]
    if missing:
        computed = embed([rows[i].question for i in missing])
        for i, vec in zip(missing, computed):
            rows[i].vector = vec
    return np.stack([r.vector for r in rows]).astype(np.float32)


def content_gaps(rows: list[LoggedQuestion], index: "Index", distance: float = DISTANCE,
                 closest: int = 3, top: int | None = None) -> list[Gap]:
    """Groups of ``rows`` by meaning, most asked first, each with the posts closest to it;
    ``top``: only the largest (the others are not described: a third of the time)."""
    if not rows:
        return []
    gen = index.generation
    texts = [" ".join(r.question.casefold().split()) for r in rows]
    first_of = {t: i for i, t in reversed(list(enumerate(texts)))}  # a repeat counts once
    unique = np.fromiter(first_of.values(), dtype=int, count=len(first_of))
    vecs = _vectors([rows[i] for i in unique], index.embedder.embed_queries)
    anchors = gen.vectors.vectors().astype(np.float32)
    of_unique = np.unique(group(vecs, distance), return_inverse=True)[1]
    label_of = dict(zip((texts[i] for i in unique), of_unique))
    labels = np.array([label_of[t] for t in texts])
    centres = np.zeros((int(of_unique.max()) + 1, vecs.shape[1]), np.float32)
    np.add.at(centres, of_unique, vecs)
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    near = _nearest(centres, anchors, k=8 * closest)
    order = np.argsort(labels, kind="stable")  # each group's rows stay oldest first
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    groups = sorted(np.split(order, bounds), key=lambda ids: (-len(ids), rows[ids[-1]].hour))
    return [_gap([rows[i] for i in ids], gen, near[labels[ids[0]]], closest)
            for ids in groups[:top]]


def _gap(members: list[LoggedQuestion], gen, near: np.ndarray, closest: int) -> Gap:
    vecs = np.stack([m.vector for m in members])
    central = members[int(np.argmax(vecs @ vecs.mean(axis=0)))]
    examples = [central.question] + [q for q in dict.fromkeys(m.question for m in members)
                                     if q != central.question][:3]
    posts = list(dict.fromkeys(int(gen.passage_post[p]) for p in near))[:closest]
    return Gap(count=len(members), examples=examples, first_seen=members[0].hour,
               last_seen=members[-1].hour, useful=sum(m.useful is True for m in members),
               not_useful=sum(m.useful is False for m in members),
               comments=[m.comment for m in members if m.comment][:5],
               closest=[{"title": gen.posts[p].title, "url": gen.posts[p].url,
                         "path": gen.posts[p].path} for p in posts],
               questions=members)


CSV_COLUMNS = ["grupo", "veces_en_el_grupo", "hora", "pregunta", "decision", "confianza",
               "motivo", "citadas", "util", "comentario"]


def gaps_csv(gaps: list[Gap]) -> str:
    """One row per question with its group number (a spreadsheet can pivot on it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for n, gap in enumerate(gaps, 1):
        for q in gap.questions:
            writer.writerow([n, gap.count, q.hour, safe_cell(q.question), q.grade,
                             f"{q.confidence:.2f}", safe_cell(q.reason), " ".join(q.cited),
                             "" if q.useful is None else ("sí" if q.useful else "no"),
                             safe_cell(q.comment)])
    return out.getvalue()
