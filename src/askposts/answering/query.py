"""A question, parsed once: everything the ranking, judging and quoting stages read from it.

``Query.parse`` runs once per question and generation (term weights are the generation's
document frequencies): folded text, search terms, idf weight of each stem, the kind of answer
asked for, negation, numbers, the months and years it names, its vector and, for a follow-up,
the previous question it is read with.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..errors import AskpostsError
from ..indexing.generation import Generation
from ..indexing.lexical import Analyzer
from ..posts.periods import mentioned_periods
from ..spanish import messages as msg
from ..spanish.patterns import asked_kind
from ..spanish.words import ASKING_WORDS, NEGATIONS, fold


class QueryError(AskpostsError, ValueError):
    """A question that cannot be searched (message in Spanish)."""


UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def checked_question(question: str | None, max_chars: int) -> str:
    """The question stripped, or a ``QueryError`` saying in Spanish why it cannot be asked."""
    question = (question or "").strip()
    if not question:
        raise QueryError(msg.EMPTY_QUESTION)
    if len(question) > max_chars:
        raise QueryError(msg.LONG_QUESTION.format(limit=max_chars))
    if UNREADABLE.search(question):  # control bytes; U+FFFD: bytes that were not UTF-8
        raise QueryError(msg.UNREADABLE_QUESTION)
    return question


_NUMBER = re.compile(r"\b\d[\d.,]*\b")


@dataclass(frozen=True)
class Query:
    """One question as the stages read it (immutable: one request, one generation)."""

    text: str  # what is searched: the question, after the previous one for a follow-up
    asked: str  # the question as typed: the kind of answer is the one it asks for
    folded: str
    terms: tuple[str, ...]  # search terms of ``text`` (BM25)
    weights: dict[str, float]  # stem -> idf normalised to 0..1 (1: no post contains it)
    kind: str | None  # evidence.asked_kind of ``asked``
    negated: bool
    numbers: tuple[str, ...]
    unknown: float  # idf share of the terms no post contains
    periods: tuple[tuple[int, int], ...]  # (year, month) it names; month 0 for a year
    vector: np.ndarray
    previous: str | None = None  # the question a follow-up is read with

    @property
    def rarest(self) -> str | None:
        return max(self.weights, key=self.weights.get) if self.weights else None

    @classmethod
    def parse(cls, question: str, gen: Generation, analyzer: Analyzer, vector: np.ndarray,
              previous: str | None = None) -> "Query":
        """``question`` read against ``gen``; ``previous``: the question it follows up."""
        text = f"{previous} {question}" if previous else question
        n = len(gen.posts)
        top = math.log((n + 1) / 0.5)
        words = [w for w in analyzer.words(text) if w not in ASKING_WORDS]
        weights: dict[str, float] = {}
        for stem in analyzer.stem(words):
            df = gen.document_frequency.get(stem, 0)
            weights[stem] = math.log((n + 1) / (df + 0.5)) / top
        total = sum(weights.values()) or 1.0
        unknown = sum(w for t, w in weights.items() if t not in gen.document_frequency) / total
        folded = fold(text)
        return cls(text, question, folded, tuple(analyzer.terms(text)), weights,
                   asked_kind(question), bool(set(re.findall(r"[a-z]+", folded)) & NEGATIONS),
                   tuple(_NUMBER.findall(text)), unknown, tuple(mentioned_periods(text)),
                   vector, previous)
