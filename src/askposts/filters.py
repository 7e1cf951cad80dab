"""Search filters: by collection and by date (a day, a month or a year), as a post mask."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

import numpy as np

from .errors import AskpostsError
from .records import Post

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class FilterError(AskpostsError, ValueError):
    """A filter value people typed that cannot be understood (message in Spanish)."""


def parse_bound(value, upper: bool) -> dt.date | None:
    """``2023`` / ``2023-05`` / ``2023-05-17`` / a date -> the first (or last) day it covers."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(str(value).strip())
    if not match:
        raise FilterError(f"Fecha no válida: {value!r}. Use AAAA, AAAA-MM o AAAA-MM-DD.")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            return dt.date(year, 12, 31) if upper else dt.date(year, 1, 1)
        if day is None:
            if not upper:
                return dt.date(year, month, 1)
            nxt = dt.date(year + month // 12, month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date(year, month, day)
    except ValueError as exc:
        raise FilterError(f"Fecha no válida: {value!r}.") from exc


def post_span(post: Post) -> tuple[dt.date, dt.date] | None:
    """The days a post's date covers: one day, or whole years for a year-only date."""
    if post.date and len(post.date) == 10:
        day = dt.date.fromisoformat(post.date)
        return day, day
    years = post.years or ((int(post.date),) if post.date else ())
    if not years:
        return None
    return dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)


def _names(values: Iterable[str] | str | None) -> set[str]:
    if isinstance(values, str):
        values = [values]
    return {v.strip() for v in values or () if v and v.strip()}


def post_mask(posts: Sequence[Post], collections: Iterable[str] | str | None = None,
              since=None, until=None,
              programmes: Iterable[str] | str | None = None) -> np.ndarray | None:
    """Boolean mask of the posts that pass; ``None`` when no filter is set."""
    wanted, progs = _names(collections), _names(programmes)
    lo, hi = parse_bound(since, upper=False), parse_bound(until, upper=True)
    if lo and hi and lo > hi:
        raise FilterError("La fecha inicial es posterior a la final.")
    if not wanted and not progs and lo is None and hi is None:
        return None
    mask = np.ones(len(posts), dtype=bool)
    for i, post in enumerate(posts):
        if (wanted and post.collection not in wanted) or (progs and post.programme not in progs):
            mask[i] = False
            continue
        if lo or hi:
            span = post_span(post)
            if span is None or (lo and span[1] < lo) or (hi and span[0] > hi):
                mask[i] = False
    return mask
