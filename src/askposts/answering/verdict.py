"""The decision signals: named functions of the chosen quote, the other candidate windows
and the question, in ``DECISION_FEATURES``. The fitted ``answer`` and ``topic`` models
(``judge``) read the ones their file names."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .candidates import Windows

if TYPE_CHECKING:
    from .rank import QueryScores
    from .reading import Reading


@dataclass
class Verdict:
    """What the decision signals read: the candidates, their logits and the chosen quote."""

    c: Windows
    logits: np.ndarray
    quote: int
    top: list[int]
    scores: "QueryScores"
    reading: "Reading | None" = None  # the reader's scores (``reading``), when it read


def _apart(c: Windows, w: int) -> np.ndarray:
    """Per candidate: shares no unit with window ``w``."""
    return (c.rank != c.rank[w]) | (c.first_unit > c.last_unit[w]) | \
        (c.last_unit < c.first_unit[w])


DECISION_FEATURES: dict[str, Callable[[Verdict], float]] = {}


def decision_feature(fn: Callable[[Verdict], float]) -> Callable[[Verdict], float]:
    """Register ``fn`` as the decision signal of its name."""
    DECISION_FEATURES[fn.__name__] = fn
    return fn


@decision_feature
def quote_logit(v: Verdict) -> float:
    return float(v.logits[v.quote])


@decision_feature
def best_logit(v: Verdict) -> float:
    return float(v.logits.max())


@decision_feature
def logit_gap(v: Verdict) -> float:
    """How far the quote stands above the best window that shares no unit with it."""
    apart = _apart(v.c, v.quote)
    return float(v.logits[v.quote] - v.logits[apart].max()) if apart.any() else 1.0


@decision_feature
def quote_cos(v: Verdict) -> float:
    return float(v.c.cos[v.quote])


@decision_feature
def max_cos(v: Verdict) -> float:
    return float(v.c.cos.max())


@decision_feature
def quote_unit_cos(v: Verdict) -> float:
    return float(v.c.best(v.c.unit_cos)[v.quote])


@decision_feature
def dense_top(v: Verdict) -> float:
    return float(v.scores.dense_post[v.top[0]])


@decision_feature
def overlap_quote(v: Verdict) -> float:
    return float(v.c.overlap[v.quote])


@decision_feature
def missing_quote(v: Verdict) -> float:
    return float(v.c.missing[v.quote])


def _top_terms(v: Verdict) -> np.ndarray:
    found = v.c.gen.post_terms(v.top[0])
    return np.array([t in found for t in v.c.terms], bool)


@decision_feature
def coverage_top(v: Verdict) -> float:
    return float(v.c.share(_top_terms(v)[None, :])[0])


@decision_feature
def missing_top(v: Verdict) -> float:
    return float(np.where(_top_terms(v), 0.0, v.c.weight).max(initial=0.0))


@decision_feature
def kind_asked(v: Verdict) -> float:
    return float(bool(v.c.query.kind))


@decision_feature
def kind_quote(v: Verdict) -> float:
    return float(v.c.kind[v.quote])


@decision_feature
def negation_miss(v: Verdict) -> float:
    return float(v.c.negation_miss[v.quote])


@decision_feature
def number_miss(v: Verdict) -> float:
    return float(v.c.number_miss[v.quote])


@decision_feature
def unknown(v: Verdict) -> float:
    return float(v.c.query.unknown)


@decision_feature
def fused_gap(v: Verdict) -> float:
    fused = v.scores.fused
    return float(fused[v.top[0]] - fused[v.top[1]]) if len(v.top) > 1 else 1.0


@decision_feature
def n_terms(v: Verdict) -> float:
    return math.log1p(len(v.c.terms))


@decision_feature
def quote_rank(v: Verdict) -> float:
    return 1.0 / (1.0 + float(v.c.rank[v.quote]))


@decision_feature
def quote_words(v: Verdict) -> float:
    return math.log1p(float(v.c.words[v.quote]))


@decision_feature
def kind_with_terms(v: Verdict) -> float:
    """Some window of the best post holds the asked kind and the question's rarest term."""
    rare = v.c.query.rarest
    if not v.c.query.kind or rare is None:
        return 0.0
    hit = v.c.kind & v.c.present[:, v.c.terms.index(rare)] & (v.c.rank == 0)
    return float(hit.any())


def decision_row(v: Verdict, names: tuple[str, ...]) -> np.ndarray:
    return np.array([DECISION_FEATURES[n](v) for n in names], np.float64)
