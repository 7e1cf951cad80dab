"""Search filters: by collection, programme and date (a day, a month or a year).

``Filters`` is parsed once where a request comes in (Python call, CLI, HTTP, UI) and passed
down as one frozen value: it validates what people typed (Spanish messages), is hashable (a
cache key) and turns into a mask of the posts that pass.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import AskpostsError
from .records import Post
from .spanish import messages as msg

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
Names = Iterable[str] | str | None


class FilterError(AskpostsError, ValueError):
    """A filter value people typed that cannot be understood (message in Spanish)."""


def parse_bound(value: object, upper: bool) -> dt.date | None:
    """``2023`` / ``2023-05`` / ``2023-05-17`` / a date -> the first (or last) day it covers."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(str(value).strip())
    if not match:
        raise FilterError(msg.BAD_DATE.format(value=value))
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            return dt.date(year, 12, 31) if upper else dt.date(year, 1, 1)
        if day is None:
            return dt.date(year, month, calendar.monthrange(year, month)[1] if upper else 1)
        return dt.date(year, month, day)
    except ValueError as exc:
        raise FilterError(msg.BAD_DAY.format(value=value)) from exc


def _names(values: Names) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    return tuple(sorted({v.strip() for v in values or () if v and v.strip()}))


@dataclass(frozen=True)
class Filters:
    """Which posts a search may return; the empty value (``Filters()``) lets all through."""

    collections: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    since: dt.date | None = None  # first day included
    until: dt.date | None = None  # last day included

    @classmethod
    def parse(cls, collections: Names = None, programmes: Names = None,
              since: object = None, until: object = None) -> "Filters":
        """Filters from what people typed: names or lists of names, dates as ``AAAA[-MM[-DD]]``."""
        lo, hi = parse_bound(since, upper=False), parse_bound(until, upper=True)
        if lo and hi and lo > hi:
            raise FilterError(msg.DATES_REVERSED)
        return cls(_names(collections), _names(programmes), lo, hi)

    @classmethod
    def of(cls, filters: "Filters | None" = None, **values: object) -> "Filters":
        """``filters`` itself, or one parsed from keyword values (``collections=...``)."""
        unknown = set(values) - {"collections", "programmes", "since", "until"}
        if unknown:
            raise TypeError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        if filters is not None and any(v is not None for v in values.values()):
            raise TypeError("pass either a Filters value or keyword filters, not both")
        return filters if filters is not None else cls.parse(**values)

    def __bool__(self) -> bool:
        return bool(self.collections or self.programmes or self.since or self.until)

    def admits(self, post: Post) -> bool:
        """Whether ``post`` passes (a dateless post fails any date bound)."""
        if self.collections and post.collection not in self.collections:
            return False
        if self.programmes and post.programme not in self.programmes:
            return False
        if self.since or self.until:
            period = post.period
            if period is None or (self.since and period.last < self.since) \
                    or (self.until and period.first > self.until):
                return False
        return True

    def mask(self, posts: Sequence[Post]) -> np.ndarray | None:
        """Boolean mask of the posts that pass; ``None`` when no filter is set."""
        if not self:
            return None
        return np.fromiter((self.admits(p) for p in posts), dtype=bool, count=len(posts))

    def to_dict(self) -> dict:
        """JSON-ready: lists of names and ISO dates (``None`` when unset)."""
        return {"collections": list(self.collections), "programmes": list(self.programmes),
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}


def facets_of(posts: list) -> dict:
    """Collections, programmes and years present among ``posts`` (for filter menus)."""
    years = {p.period.year for p in posts if p.period} | {y for p in posts for y in p.years}
    return {"collections": sorted({p.collection for p in posts if p.collection}),
            "programmes": sorted({p.programme for p in posts if p.programme}),
            "years": sorted(years)}
