"""The unanswered questions of a period by wording: what the staff summary's groups need.

A year of a public chat holds tens of thousands of questions but far fewer wordings (people
repeat «¿cuándo abre la convocatoria?» word for word). The database counts each wording (how
often, first and last hour, opinions) and one vector of each is read by key, instead of every
row: 100,000 logged questions in about a quarter of a second (``benchmarks/bench_gaps.py``). The full
report (``gaps.content_gaps``), which lists every row, counts its rows the same way here.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .log import LOW_CONFIDENCE, UNANSWERED, LoggedQuestion, QuestionLog, period_bounds

_IN_PERIOD = "hour >= ? AND hour < ? AND " + UNANSWERED  # _period's values


@dataclass
class Wording:
    """One wording as asked in a period: how often, first and last hour, opinions, vector."""

    question: str
    count: int
    first_seen: str
    last_seen: str
    useful: int = 0
    not_useful: int = 0
    vector: np.ndarray | None = field(default=None, repr=False)


def _period(since: dt.date, until: dt.date) -> tuple:
    return *period_bounds(since, until), LOW_CONFIDENCE


def asked(qlog: QuestionLog, since: dt.date, until: dt.date) -> list[Wording]:
    """The unanswered questions (as in ``QuestionLog.rows``) from ``since`` to ``until``
    (both days included), one per wording, in the order first asked."""
    if not qlog.db.exists():
        return []
    order, period = qlog.db.order, _period(since, until)
    with contextlib.closing(qlog.db.connect()) as con:
        found = con.execute(qlog.db.sql(
            f"SELECT question, COUNT(*), MIN(hour), MAX(hour), MIN({order}), "
            "SUM(CASE WHEN useful = 1 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN useful = 0 THEN 1 ELSE 0 END) FROM {t} WHERE " + _IN_PERIOD +
            f" GROUP BY question ORDER BY MIN(hour), MIN({order})"), period).fetchall()
        out = [Wording(q, n, first, last, int(up or 0), int(down or 0))
               for q, n, first, last, _, up, down in found]
        _read_vectors(qlog, con, out, [r[4] for r in found], period)
    return out


def _read_vectors(qlog: QuestionLog, con: object, asked: list[Wording], keys: list,
                  period: tuple, chunk: int = 500) -> None:
    """Each wording's vector: its first row's, read by key (testing every row's vector for
    NULL in the grouping reads every vector: three times as long); for the rare first row
    without one, the first of its other rows that has one."""
    order, at = qlog.db.order, dict(zip(keys, asked))
    for s in range(0, len(keys), chunk):
        part = keys[s:s + chunk]
        for key, vec in con.execute(qlog.db.sql(
                f"SELECT {order}, vector FROM {{t}} WHERE {order} IN "
                f"({', '.join('?' * len(part))}) AND vector IS NOT NULL"), part):
            at[key].vector = np.frombuffer(bytes(vec), dtype=np.float32)
    lacking = {a.question: a for a in asked if a.vector is None}
    names = list(lacking)
    for s in range(0, len(names), chunk):
        part = names[s:s + chunk]
        for question, vec in con.execute(qlog.db.sql(
                "SELECT question, vector FROM {t} WHERE " + _IN_PERIOD +
                f" AND vector IS NOT NULL AND question IN ({', '.join('?' * len(part))}) "
                f"ORDER BY {order}"), (*period, *part)):
            if lacking[question].vector is None:
                lacking[question].vector = np.frombuffer(bytes(vec), dtype=np.float32)


def comments(qlog: QuestionLog, since: dt.date, until: dt.date) -> list[tuple[str, str]]:
    """(question, comment) of the period's unanswered questions that have one, oldest first."""
    if not qlog.db.exists():
        return []
    with contextlib.closing(qlog.db.connect()) as con:
        return [tuple(r) for r in con.execute(qlog.db.sql(
            "SELECT question, comment FROM {t} WHERE " + _IN_PERIOD +
            f" AND comment != '' ORDER BY hour, {qlog.db.order}"), _period(since, until))]


def of_rows(rows: list[LoggedQuestion]) -> list[Wording]:
    """The wordings of ``rows`` (oldest first), counted as ``asked`` counts them."""
    seen: dict[str, Wording] = {}
    for r in rows:
        kept = seen.get(r.question)
        if kept is None:
            kept = seen[r.question] = Wording(r.question, 0, r.hour, r.hour, vector=r.vector)
        kept.count += 1
        kept.last_seen = r.hour
        kept.useful += r.useful is True
        kept.not_useful += r.useful is False
        if kept.vector is None:
            kept.vector = r.vector
    return list(seen.values())
