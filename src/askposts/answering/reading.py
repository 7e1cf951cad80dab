"""The reader's scores as signals: of each candidate window (``READING_FEATURES``, read by the
``reading`` model that gives the final window logits) and of the chosen quote (decision
signals, registered beside the others in ``verdict.DECISION_FEATURES``).

``read`` runs the reader on the units of the best windows by the first-stage window logits,
window after window until it has ``budget`` units (the reader's cost is per unit: about 9 ms
each on 2 cores in bfloat16); the other units keep a floor score (below every scored one), so
a window the first stage ranked low can never win on the reader alone.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .candidates import Windows
from .reader import Reader
from .verdict import Verdict, decision_feature

FLOOR = 2.0  # unscored units sit this far below the lowest scored one


@dataclass(frozen=True)
class Reading:
    """The reader's view of one question's candidates."""

    first: np.ndarray  # per window: the first-stage logit
    unit: np.ndarray  # per candidate unit: the reader's score (a floor where not scored)
    scored: np.ndarray  # per candidate unit: the reader read it

    @classmethod
    def empty(cls, c: Windows, first: np.ndarray) -> "Reading":
        return cls(first, np.zeros(len(c.uids)), np.zeros(len(c.uids), bool))


def units_to_read(c: Windows, first: np.ndarray, budget: int) -> np.ndarray:
    """Candidate unit positions (sorted) of the best windows by ``first``, whole windows,
    until there are ``budget`` of them (a window's units overlap its neighbours')."""
    seen: dict[int, None] = {}
    for w in np.argsort(-first, kind="stable"):
        seen.update(dict.fromkeys(c.members[w][c.valid[w]].tolist()))
        if len(seen) >= budget:
            break
    return np.array(sorted(seen), np.int64)


def read(c: Windows, first: np.ndarray, reader: Reader, budget: int) -> Reading:
    """Score the units of the best windows (``units_to_read``) with ``reader``."""
    if not len(c):
        return Reading.empty(c, first)
    units = units_to_read(c, first, budget)
    scores = reader.score(c.query.asked, [c.gen.unit(int(c.uids[u])) for u in units])
    return with_scores(c, first, units, scores)


def with_scores(c: Windows, first: np.ndarray, units: np.ndarray,
                scores: np.ndarray) -> Reading:
    """A ``Reading`` from the scores of ``units`` (fitting reuses cached scores)."""
    unit = np.full(len(c.uids), (scores.min() if len(scores) else 0.0) - FLOOR)
    unit[units] = scores
    scored = np.zeros(len(c.uids), bool)
    scored[units] = True
    return Reading(first, unit, scored)


READING_FEATURES: dict[str, Callable[[Windows, Reading], np.ndarray]] = {}


def reading_feature(fn: Callable[[Windows, Reading], np.ndarray]
                    ) -> Callable[[Windows, Reading], np.ndarray]:
    """Register ``fn`` as the reading signal of its name."""
    READING_FEATURES[fn.__name__] = fn
    return fn


@reading_feature
def first_stage(c: Windows, r: Reading) -> np.ndarray:
    """The window model's logit before the reader."""
    return r.first


@reading_feature
def reader(c: Windows, r: Reading) -> np.ndarray:
    """The reader's best unit of the window: the window holds an answering unit."""
    return c.best(r.unit)


@reading_feature
def reader_gap(c: Windows, r: Reading) -> np.ndarray:
    """How far its best unit lags behind the best unit read."""
    return c.best(r.unit) - r.unit.max(initial=0.0)


@reading_feature
def reader_weakest(c: Windows, r: Reading) -> np.ndarray:
    """Its weakest unit, relative to its best (0 for one unit): a unit that adds nothing."""
    weakest = np.where(c.valid, r.unit[c.members], np.inf).min(axis=1)
    return weakest - c.best(r.unit)


@reading_feature
def reader_lead(c: Windows, r: Reading) -> np.ndarray:
    """Its first unit's score relative to its best: the unit that introduces the answer
    scores lower than the one that gives it."""
    return r.unit[c.first_unit] - c.best(r.unit)


@reading_feature
def reader_read(c: Windows, r: Reading) -> np.ndarray:
    """Every unit of the window was read."""
    return np.where(c.valid, r.scored[c.members], True).all(axis=1).astype(float)


def reading_rows(c: Windows, r: Reading, names: tuple[str, ...]) -> np.ndarray:
    """(len(c), len(names)): the named reading signals of every candidate window."""
    if not len(c):
        return np.zeros((0, len(names)))
    return np.column_stack([np.asarray(READING_FEATURES[n](c, r), np.float64) for n in names])


# -- decision signals (the chosen quote) -------------------------------------------------------
def _quote_reader(v: Verdict) -> float:
    return float(v.c.best(v.reading.unit)[v.quote]) if v.reading is not None else 0.0


@decision_feature
def reader_quote(v: Verdict) -> float:
    """The reader's score of the quote's best unit."""
    return _quote_reader(v)


@decision_feature
def reader_best(v: Verdict) -> float:
    """The best score the reader gave any unit."""
    return float(v.reading.unit.max(initial=0.0)) if v.reading is not None else 0.0


@decision_feature
def reader_apart(v: Verdict) -> float:
    """How far the quote's best unit stands above the best unit read outside it."""
    if v.reading is None:
        return 0.0
    c, r = v.c, v.reading
    inside = np.zeros(len(c.uids), bool)
    inside[c.members[v.quote][c.valid[v.quote]]] = True
    outside = r.unit[r.scored & ~inside]
    return _quote_reader(v) - float(outside.max()) if len(outside) else FLOOR


# The decision signals above: a model that does not read leaves them out (0 for every
# question, they would show staff a reading that never happened).
READER_SIGNALS = tuple(fn.__name__ for fn in (reader_quote, reader_best, reader_apart))
