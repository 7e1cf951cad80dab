"""The staff summary: how the chat is doing over a period, counted straight from the log.

Questions a week by decision (answer / near / none), opinions a week (useful / not useful),
the front ends they came from, and the posts cited most. Counted by the database (one grouped
query, and one over the cited paths), so SQLite and PostgreSQL give the same figures and a year
of a public chat is summed in well under a second. The largest groups of unanswered questions
come from the content-gap report (``gaps``), computed by the caller that has the index.
"""
from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
from dataclasses import asdict, dataclass, field

from .log import SOURCES, QuestionLog, period_bounds

GRADES = ("answer", "near", "none")
TOP = 10


@dataclass(frozen=True)
class Week:
    """One week (``start``: its Monday) of the period."""

    start: str
    answer: int = 0
    near: int = 0
    none: int = 0
    useful: int = 0
    not_useful: int = 0

    @property
    def questions(self) -> int:
        return self.answer + self.near + self.none


@dataclass(frozen=True)
class Summary:
    """The figures of one period (``since`` and ``until`` included)."""

    since: str
    until: str
    questions: int
    grades: dict[str, int]
    useful: int
    not_useful: int
    sources: dict[str, int]
    weeks: list[Week]
    cited: list[dict] = field(default_factory=list)  # {"path", "count"}, most cited first

    def to_dict(self) -> dict:
        data = asdict(self)
        for week, row in zip(self.weeks, data["weeks"]):
            row["questions"] = week.questions
        return data


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def summarize(qlog: QuestionLog, since: dt.date, until: dt.date) -> Summary:
    """The figures of the log from ``since`` to ``until`` (both days included)."""
    bounds = period_bounds(since, until)
    counts: list[tuple] = []
    cited: collections.Counter = collections.Counter()
    if qlog.db.exists():
        with contextlib.closing(qlog.db.connect()) as con:
            counts = con.execute(qlog.db.sql(
                "SELECT substr(hour, 1, 10), grade, useful, source, COUNT(*) FROM {t} "
                "WHERE hour >= ? AND hour < ? GROUP BY substr(hour, 1, 10), grade, useful, "
                "source"), bounds).fetchall()
            for (paths,) in con.execute(qlog.db.sql(
                    "SELECT cited FROM {t} WHERE hour >= ? AND hour < ? AND cited != '[]'"),
                    bounds):
                cited.update(dict.fromkeys(json.loads(paths or "[]"), 1))
    weeks = {_monday(since) + dt.timedelta(weeks=n): collections.Counter()
             for n in range((_monday(until) - _monday(since)).days // 7 + 1)}
    grades, sources = collections.Counter(), collections.Counter()
    opinions = collections.Counter()
    for day, grade, useful, source, n in counts:
        week = weeks[_monday(dt.date.fromisoformat(day))]
        week[grade] += n
        grades[grade] += n
        sources[source if source in SOURCES else "otro"] += n
        if useful is not None:
            key = "useful" if useful else "not_useful"
            week[key] += n
            opinions[key] += n
    return Summary(
        since=since.isoformat(), until=until.isoformat(), questions=sum(grades.values()),
        grades={g: grades[g] for g in GRADES}, useful=opinions["useful"],
        not_useful=opinions["not_useful"],
        sources={s: sources[s] for s in (*SOURCES, "otro") if sources[s] or s in SOURCES},
        weeks=[Week(start.isoformat(), **{k: c[k] for k in (*GRADES, "useful", "not_useful")})
               for start, c in weeks.items()],
        cited=[{"path": p, "count": n} for p, n in cited.most_common(TOP)])
