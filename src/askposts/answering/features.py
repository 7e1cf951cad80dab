"""The signals the fitted window model reads about each candidate answer window.

Every signal is a named function of the question's candidates (``candidates.Windows``) in
``WINDOW_FEATURES``; the model file lists the names it was fitted on, so a new signal is one
function here and a refit (``askposts fit``). Nothing here embeds text: similarities come
from the vectors stored in the index.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .arrays import rank_of
from .candidates import WIDTH, Windows

WINDOW_FEATURES: dict[str, Callable[[Windows], np.ndarray]] = {}


def window_feature(fn: Callable[[Windows], np.ndarray]) -> Callable[[Windows], np.ndarray]:
    """Register ``fn`` as the window signal of its name."""
    WINDOW_FEATURES[fn.__name__] = fn
    return fn


@window_feature
def cos(c: Windows) -> np.ndarray:
    """Cosine of the window (embedded with its post's title) with the question."""
    return c.cos


@window_feature
def cos_gap(c: Windows) -> np.ndarray:
    return c.cos - c.cos.max(initial=0.0)


@window_feature
def cos_rank(c: Windows) -> np.ndarray:
    return 1.0 / (1.0 + rank_of(c.cos))


@window_feature
def unit_cos(c: Windows) -> np.ndarray:
    """The best cosine of one of its units alone."""
    return c.best(c.unit_cos)


@window_feature
def edge_lag(c: Windows) -> np.ndarray:
    """How far its weaker end unit lags behind its best unit (0 for one unit): an end that
    adds nothing."""
    ends = np.minimum(c.unit_cos[c.first_unit], c.unit_cos[c.last_unit])
    return ends - c.best(c.unit_cos)


@window_feature
def overlap(c: Windows) -> np.ndarray:
    """Idf-weighted share of the question's terms in the window."""
    return c.overlap


@window_feature
def overlap_gap(c: Windows) -> np.ndarray:
    return c.overlap - c.overlap.max(initial=0.0)


@window_feature
def overlap_rank(c: Windows) -> np.ndarray:
    return 1.0 / (1.0 + rank_of(c.overlap))


@window_feature
def lead_overlap(c: Windows) -> np.ndarray:
    """The share of the question's terms in its first unit: where the terms fall."""
    return c.share(c.tf[c.first_unit] > 0)


@window_feature
def tail_overlap(c: Windows) -> np.ndarray:
    """... and in its last unit (0 for one unit)."""
    return np.where(c.size > 1, c.share(c.tf[c.last_unit] > 0), 0.0)


@window_feature
def bm25(c: Windows) -> np.ndarray:
    """BM25 of the window over the question's terms, relative to the best window's."""
    return c.bm25(c.weight)


@window_feature
def local_overlap(c: Windows) -> np.ndarray:
    """Share of the question's terms in the window, weighted by their idf among the
    candidates' units (``Windows.local_weight``)."""
    return c.share(c.present, c.local_weight)


@window_feature
def local_bm25(c: Windows) -> np.ndarray:
    return c.bm25(c.local_weight)


@window_feature
def post_local_overlap(c: Windows) -> np.ndarray:
    """Share of the question's terms in the window, each weighted by its idf among the units
    of the window's own post."""
    return _shares(c.present, c.post_weight[c.first_unit])


@window_feature
def focus_overlap(c: Windows) -> np.ndarray:
    """Share of the question's terms that are not in its post's title found in the window:
    the title names the topic, the other words ask about something in it."""
    return _shares(c.present, np.where(c.focus, c.weight[None, :], 0.0))


def _shares(present: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per row, the share of ``weight`` (rows x terms, its own per row) that is present."""
    total = weight.sum(axis=1)
    got = np.where(present, weight, 0.0).sum(axis=1)
    return np.where(total > 0, got / np.where(total > 0, total, 1.0), 0.0)


@window_feature
def rare_hit(c: Windows) -> np.ndarray:
    rare = c.query.rarest
    return c.present[:, c.terms.index(rare)].astype(float) if rare else np.zeros(len(c))


@window_feature
def missing(c: Windows) -> np.ndarray:
    return c.missing


@window_feature
def kind_match(c: Windows) -> np.ndarray:
    """It holds the kind of answer asked for (a number, a date, a name...)."""
    return c.kind.astype(float)


@window_feature
def kind_miss(c: Windows) -> np.ndarray:
    return (~c.kind & bool(c.query.kind)).astype(float)


@window_feature
def kind_after_terms(c: Windows) -> np.ndarray:
    """The asked kind stands in a unit after the first one that names the question's terms:
    the sentence that introduces the topic, then the one that answers."""
    has_terms = (c.tf[c.members] > 0).any(axis=2) & c.valid
    kind = c.unit_kind[c.members] & c.valid
    first_terms = np.where(has_terms.any(axis=1), has_terms.argmax(axis=1), WIDTH)
    later = np.arange(WIDTH)[None, :] > first_terms[:, None]
    return (kind & later).any(axis=1).astype(float)


@window_feature
def units(c: Windows) -> np.ndarray:
    return c.size.astype(float)


@window_feature
def log_words(c: Windows) -> np.ndarray:
    return np.log1p(c.words)


@window_feature
def position(c: Windows) -> np.ndarray:
    """Where it starts in its post, 0 (first unit) to 1."""
    post = c.posts[c.rank]
    index = c.gen.windows[c.ids, 0] - c.gen.unit_first[post]
    length = c.gen.unit_first[post + 1] - c.gen.unit_first[post]
    return index / np.maximum(length - 1, 1)


@window_feature
def first(c: Windows) -> np.ndarray:
    return (c.gen.windows[c.ids, 0] == c.gen.unit_first[c.posts[c.rank]]).astype(float)


@window_feature
def post_inv_rank(c: Windows) -> np.ndarray:
    return 1.0 / (c.rank + 1.0)


@window_feature
def post_score(c: Windows) -> np.ndarray:
    return c.scores.fused[c.posts[c.rank]].astype(np.float64)


@window_feature
def post_gap(c: Windows) -> np.ndarray:
    fused = c.scores.fused
    return (fused[c.posts[0]] - fused[c.posts[c.rank]]).astype(np.float64)


@window_feature
def passage_cos(c: Windows) -> np.ndarray:
    """Cosine of the passage around it: the context retrieval matched."""
    around = c.gen.unit_passage[c.uids[c.first_unit]]
    return c.scores.dense_passage[around].astype(np.float64)


@window_feature
def passage_lex(c: Windows) -> np.ndarray:
    lex = c.scores.lexical_passage[c.gen.unit_passage[c.uids[c.first_unit]]]
    top = lex.max(initial=0.0)
    return (lex / top if top > 0 else lex).astype(np.float64)


@window_feature
def announces(c: Windows) -> np.ndarray:
    """It ends on a sentence that announces what follows («...son los siguientes:»)."""
    return c.unit_colon[c.last_unit].astype(float)


def window_rows(c: Windows, names: tuple[str, ...]) -> np.ndarray:
    """(len(c), len(names)): the named signals of every candidate window."""
    if not len(c):
        return np.zeros((0, len(names)))
    return np.column_stack([np.asarray(WINDOW_FEATURES[n](c), np.float64) for n in names])
