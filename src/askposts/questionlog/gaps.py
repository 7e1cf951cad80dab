"""The content-gap report: what people asked that the posts did not answer, grouped by meaning.

Questions are grouped by their vectors (the ones computed to answer them; missing ones are
computed here): average-linkage clustering on cosine distance, so that «¿cuándo es la próxima
convocatoria?» and «¿cuándo abren la convocatoria?» land in one group. Each group says how
often it was asked, when first and last, a few examples, the feedback it got and the posts
closest to it (what staff would update, or where a new post is missing).
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
MAX_CLUSTERED = 3000  # the clustering is quadratic: only the most recent questions are grouped


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
    """A group label per row (rows are L2-normalised vectors)."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                    distance_threshold=distance)
    return model.fit_predict(vectors)


def _vectors(rows: list[LoggedQuestion], embed: Callable[[list[str]], np.ndarray]
             ) -> np.ndarray:
    missing = [i for i, r in enumerate(rows) if r.vector is None]
    if missing:
        computed = embed([rows[i].question for i in missing])
        for i, vec in zip(missing, computed):
            rows[i].vector = vec
    return np.stack([r.vector for r in rows]).astype(np.float32)


def content_gaps(rows: list[LoggedQuestion], index: "Index", distance: float = DISTANCE,
                 closest: int = 3) -> list[Gap]:
    """Groups of ``rows`` by meaning, most asked first; ``index`` finds the closest posts."""
    rows = rows[-MAX_CLUSTERED:]
    if not rows:
        return []
    vecs = _vectors(rows, index.embedder.embed_queries)
    labels = cluster(vecs, distance)
    gaps = []
    for label in np.unique(labels):
        members = [r for r, lab in zip(rows, labels) if lab == label]
        group = vecs[labels == label]
        central = members[int(np.argmax(group @ group.mean(axis=0)))]
        examples = [central.question] + [q for q in dict.fromkeys(m.question for m in members)
                                         if q != central.question][:3]
        hits = index.search(central.question, k=closest)
        gaps.append(Gap(
            count=len(members), examples=examples, first_seen=members[0].hour,
            last_seen=members[-1].hour, useful=sum(m.useful is True for m in members),
            not_useful=sum(m.useful is False for m in members),
            comments=[m.comment for m in members if m.comment][:5],
            closest=[{"title": h.title, "url": h.url, "path": h.path} for h in hits],
            questions=members))
    gaps.sort(key=lambda g: (-g.count, g.last_seen), reverse=False)
    return gaps


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
