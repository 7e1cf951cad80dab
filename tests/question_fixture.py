"""A big question log for the staff report's tests and benchmark: planted meanings, each asked
in several wordings, some repeated word for word, with the vectors a log keeps."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from askposts.questionlog.log import QuestionLog


def fill_log(path: Path, anchors: np.ndarray, count: int = 100_000, meanings: int = 2_000,
             seed: int = 5) -> QuestionLog:
    """``count`` questions about ``meanings`` subjects (each near one of ``anchors``, like
    questions near the posts), written straight to the SQLite log at ``path``."""
    rng = np.random.default_rng(seed)
    dim = anchors.shape[1]
    # Near a post, as people's questions are, and apart from each other.
    centre = anchors[rng.integers(len(anchors), size=meanings)] + rng.normal(
        0, 0.7 / np.sqrt(dim), (meanings, dim))
    centre /= np.linalg.norm(centre, axis=1, keepdims=True)
    meaning = rng.integers(meanings, size=count)
    wording = rng.integers(6, size=count)  # six wordings per meaning; repeats are verbatim
    noise = rng.normal(0, 0.15 / np.sqrt(dim), (meanings, 6, dim))
    vecs = centre[meaning] + noise[meaning, wording]
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    qlog = QuestionLog(path)
    con = qlog.db.connect()
    rows = [(f"q{i}", f"2026-11-{1 + i * 28 // count:02d}T{i % 24:02d}:00",
             f"¿pregunta sobre el tema {m}, dicho de la forma {w}?", "none", 0.1, "", "[]",
             20, json.dumps({}), vecs[i].tobytes(), None, "")
            for i, (m, w) in enumerate(zip(meaning.tolist(), wording.tolist()))]
    with con:
        con.executemany("INSERT INTO questions (id, hour, question, grade, confidence, reason, "
                        "cited, latency_ms, filters, vector, useful, comment) VALUES "
                        "(?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.close()
    qlog.meaning = meaning  # what the report should find
    return qlog
