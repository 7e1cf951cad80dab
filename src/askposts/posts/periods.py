"""Dates a question mentions ("en marzo de 2023", "2024") and how well a post's date fits them.

Staff and citizens place what they ask in time; a post published in the month or year the
question names is more likely the one it is about. This is a soft boost, not a filter: an event
of March may be written up in April.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..records import Post
from ..spanish.words import MONTH_NUMBERS, YEAR, alternation, fold

_PERIOD = re.compile(rf"(?:\b({alternation(MONTH_NUMBERS)})\s+(?:de[l]?\s+)?)?\b({YEAR})\b")


def mentioned_periods(question: str) -> list[tuple[int, int]]:
    """``(year, month)`` pairs the question names; month 0 when only the year is given."""
    found = []
    for match in _PERIOD.finditer(fold(question)):
        month = match.group(1)
        number = MONTH_NUMBERS[month] if month else 0
        found.append((int(match.group(2)), number))
    return found


def post_periods(posts: Sequence[Post]) -> np.ndarray:
    """Per post ``[year, month]`` (zeros when unknown); year-only posts have month 0."""
    out = np.zeros((len(posts), 2), dtype=np.int32)
    for i, post in enumerate(posts):
        if post.period:
            out[i] = post.period.year, post.period.month
    return out


def affinity(periods: list[tuple[int, int]], posts: np.ndarray) -> np.ndarray:
    """1 same month, 0.8 a neighbouring month, 0.6 same year (no month asked), 0.3 same year."""
    best = np.zeros(len(posts), dtype=np.float32)
    year, month = posts[:, 0], posts[:, 1]
    for qy, qm in periods:
        same_year = year == qy
        if qm:
            score = np.where(same_year & (month == qm), 1.0,
                             np.where(same_year & (month > 0) & (abs(month - qm) == 1), 0.8,
                                      np.where(same_year, 0.3, 0.0)))
        else:
            score = np.where(same_year, 0.6, 0.0)
        best = np.maximum(best, score)
    return best
