"""The candidate answer windows of one question, and what their signals are computed from.

The candidates are every window (``windows``) of the best posts. ``Windows`` holds them with
the unit-level arrays (question terms per unit, the asked kind, cosines...) that the window
signals (``features``) and the decision signals (``verdict``) are built from, each computed
on first use and once per question. What does not depend on the question (each unit's terms,
length, words, kind flags) is worked out once per post and generation (``PostUnits``): a
question then slices a few arrays instead of reading every unit again.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..indexing.generation import Generation
from ..spanish.patterns import has_kind, has_name, name_pairs, question_words
from ..spanish.words import NEGATIONS, fold
from .arrays import rows_and_owners
from .query import Query

if TYPE_CHECKING:
    from .rank import QueryScores

CANDIDATE_POSTS = 5  # the answer is looked for in the windows of the best posts
WIDTH = 3  # units per window at most (windows.WindowParams.max_units)
K1, B = 1.2, 0.75  # BM25 of a window over the question's terms


class Windows:
    """The candidate windows of one question, with what their signals are computed from."""

    def __init__(self, gen: Generation, query: Query, top: list[int],
                 scores: "QueryScores") -> None:
        self.gen, self.query, self.scores = gen, query, scores
        self.posts = np.asarray(top[:CANDIDATE_POSTS], np.int64)
        self.ids, self.rank = rows_and_owners(gen.window_first, self.posts)
        self.uids, self.unit_rank = rows_and_owners(gen.unit_first, self.posts)
        counts = np.bincount(self.unit_rank, minlength=len(self.posts))
        offset = np.cumsum(counts) - counts  # where each post's units start among ours
        first, self.size = gen.windows[self.ids, 0], gen.windows[self.ids, 1]
        local = first - gen.unit_first[self.posts[self.rank]] + offset[self.rank]
        self.members = local[:, None] + np.arange(WIDTH)[None, :]
        self.valid = np.arange(WIDTH)[None, :] < self.size[:, None]
        self.members = np.where(self.valid, self.members, local[:, None])
        self.first_unit = local
        self.last_unit = local + self.size - 1
        self.terms = list(query.weights)
        self.weight = np.array([query.weights[t] for t in self.terms], np.float64)

    def __len__(self) -> int:
        return len(self.ids)

    # -- per unit (ours, in order) -----------------------------------------------------------
    def _joined(self, name: str, compute: Callable[[Generation, int], np.ndarray],
                dtype: type) -> np.ndarray:
        """A per-unit array of each candidate post (memoised per post), end to end."""
        gen = self.gen
        parts = [gen.post_value(name, lambda p: compute(gen, p), int(p)) for p in self.posts]
        return np.concatenate(parts).astype(dtype, copy=False) if parts \
            else np.zeros(0, dtype)

    @cached_property
    def _tables(self) -> list[PostUnits]:
        gen = self.gen
        return [gen.post_value("units", lambda p: PostUnits.of(gen, p), int(p))
                for p in self.posts]

    @cached_property
    def unit_cos(self) -> np.ndarray:
        return self.scores.window_cos[self.gen.unit_window[self.uids]]

    @cached_property
    def tf(self) -> np.ndarray:
        """(units, question terms): how often each term occurs in each unit."""
        out = np.zeros((len(self.uids), len(self.terms)))
        start = 0
        for table in self._tables:
            end = start + len(table.words)
            for j, term in enumerate(self.terms):
                counts = table.counts.get(term)
                if counts is not None:
                    out[start:end, j] = counts
            start = end
        return out

    @cached_property
    def unit_length(self) -> np.ndarray:
        return self._concat([t.length for t in self._tables], np.float64)

    @cached_property
    def unit_words(self) -> np.ndarray:
        return self._concat([t.words for t in self._tables], np.float64)

    @cached_property
    def unit_colon(self) -> np.ndarray:
        return self._concat([t.colon for t in self._tables], bool)

    @staticmethod
    def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype)

    @cached_property
    def unit_kind(self) -> np.ndarray:
        """Does each unit hold the kind of answer asked for (all False for open questions)."""
        kind = self.query.kind
        if kind is None:
            return np.zeros(len(self.uids), bool)
        if kind == "person":  # a name must not be a word of the question
            asked = question_words(self.query.asked)
            pairs = self._joined("name_pairs", lambda g, p: _each_unit(g, p, name_pairs),
                                 object)
            return np.array([has_name(found, asked) for found in pairs], bool)
        return self._joined(f"kind:{kind}",
                            lambda g, p: _each_unit(g, p, lambda t: has_kind(kind, t), bool),
                            bool)

    @cached_property
    def unit_negates(self) -> np.ndarray:
        return self._joined("negation", lambda g, p: _each_unit(g, p, _negates, bool), bool)

    # -- per window --------------------------------------------------------------------------
    def any(self, per_unit: np.ndarray) -> np.ndarray:
        """Per window: ``per_unit`` true in one of its units (rows of 2-D arrays or'ed)."""
        picked = per_unit[self.members]
        mask = self.valid if picked.ndim == 2 else self.valid[:, :, None]
        return (picked & mask).any(axis=1)

    def total(self, per_unit: np.ndarray) -> np.ndarray:
        picked = per_unit[self.members]
        mask = self.valid if picked.ndim == 2 else self.valid[:, :, None]
        return np.where(mask, picked, 0).sum(axis=1)

    def best(self, per_unit: np.ndarray) -> np.ndarray:
        return np.where(self.valid, per_unit[self.members], -np.inf).max(axis=1)

    def share(self, present: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """Idf-weighted share of the question's terms ``present`` (rows x terms)."""
        weight = self.weight if weight is None else weight
        total = weight.sum()
        if not total:
            return np.zeros(present.shape[0])
        return np.where(present, weight, 0.0).sum(axis=1) / total

    @cached_property
    def local_weight(self) -> np.ndarray:
        """Per question term: its idf among the candidates' units. The words that name the
        post's topic are everywhere in it; the ones that locate the answer are not."""
        df = (self.tf > 0).sum(axis=0)
        idf = np.log((len(self.uids) + 1) / (df + 0.5))
        return np.where(df > 0, idf, 0.0)

    @cached_property
    def post_weight(self) -> np.ndarray:
        """(units, question terms): each term's idf among the units of the unit's own post."""
        here = self.tf > 0
        out = np.zeros(here.shape)
        for r in range(len(self.posts)):
            rows = self.unit_rank == r
            df = here[rows].sum(axis=0)
            out[rows] = np.where(df > 0, np.log((rows.sum() + 1) / (df + 0.5)), 0.0)
        return out

    @cached_property
    def focus(self) -> np.ndarray:
        """Per question term: it is not a word of the candidate post's title (per window)."""
        titles = [self.gen.post_title_terms(int(p)) for p in self.posts]
        per_post = np.array([[t not in title for t in self.terms] for title in titles],
                            bool).reshape(len(self.posts), len(self.terms))
        return per_post[self.rank]

    def bm25(self, weight: np.ndarray) -> np.ndarray:
        """BM25 of each window over the question's terms with ``weight`` as idf, relative to
        the best window's."""
        tf, length = self.total(self.tf), self.total(self.unit_length)
        avg = max(float(length.mean()), 1.0) if len(length) else 1.0
        norm = K1 * (1 - B + B * length / avg)
        score = (weight * tf * (K1 + 1) / (tf + norm[:, None] + 1e-9)).sum(axis=1)
        top = score.max(initial=0.0)
        return score / top if top > 0 else score

    @cached_property
    def cos(self) -> np.ndarray:
        return self.scores.window_cos[self.ids].astype(np.float64)

    @cached_property
    def present(self) -> np.ndarray:
        return self.any(self.tf > 0)

    @cached_property
    def overlap(self) -> np.ndarray:
        return self.share(self.present)

    @cached_property
    def kind(self) -> np.ndarray:
        return self.any(self.unit_kind)

    @cached_property
    def words(self) -> np.ndarray:
        return self.total(self.unit_words)

    @cached_property
    def missing(self) -> np.ndarray:
        """Per window: the idf weight of the rarest question term it lacks."""
        return np.where(self.present, 0.0, self.weight).max(axis=1, initial=0.0)

    @cached_property
    def number_miss(self) -> np.ndarray:
        numbers = self.query.numbers
        if not numbers:
            return np.zeros(len(self), bool)
        texts = [self.gen.unit(int(u)) for u in self.uids]
        here = np.array([[n in t for n in numbers] for t in texts], bool)
        return ~self.any(here).all(axis=1)

    @cached_property
    def negation_miss(self) -> np.ndarray:
        if not self.query.negated:
            return np.zeros(len(self), bool)
        return ~self.any(self.unit_negates)


@dataclass(frozen=True)
class PostUnits:
    """What the window signals read of one post's units, worked out once per generation."""

    counts: dict[str, np.ndarray]  # search term -> how often it occurs in each unit
    length: np.ndarray  # search terms per unit
    words: np.ndarray  # words per unit
    colon: np.ndarray  # the unit ends with ":" (it announces what follows)

    @classmethod
    def of(cls, gen: Generation, post_idx: int) -> "PostUnits":
        lo, hi = int(gen.unit_first[post_idx]), int(gen.unit_first[post_idx + 1])
        terms = [gen.unit_terms(u) for u in range(lo, hi)]
        texts = [gen.unit(u) for u in range(lo, hi)]
        counts: dict[str, np.ndarray] = {}
        for i, found in enumerate(terms):
            for term, n in found.items():
                counts.setdefault(term, np.zeros(hi - lo))[i] = n
        return cls(counts, np.array([sum(t.values()) for t in terms], np.float64),
                   np.array([len(t.split()) for t in texts], np.float64),
                   np.array([t.rstrip().endswith(":") for t in texts], bool))


def _each_unit(gen: Generation, post_idx: int, compute: Callable[[str], object],
               dtype: type = object) -> np.ndarray:
    """``compute`` of each unit of the post, as an array."""
    lo, hi = int(gen.unit_first[post_idx]), int(gen.unit_first[post_idx + 1])
    out = np.empty(hi - lo, dtype)
    for i, u in enumerate(range(lo, hi)):
        value = compute(gen.unit(u))
        out[i] = bool(value) if dtype is bool else value
    return out


def _negates(text: str) -> bool:
    return bool(set(fold(text).split()) & NEGATIONS)
