"""Hits -> an extractive, cited answer in Spanish.

The answer quotes 1-3 sentences, word for word, from the best passages of up to 3 posts, each
followed by its citation number: ``La capacitación duró tres jornadas [1].`` Nothing is written
that a cited excerpt does not say. When the corpus does not answer, it says so and lists the
closest posts so the person can look for themselves.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .chunking import sentence_spans
from .evidence import asked_kind, has_kind
from .generation import Generation
from .lexical import Analyzer
from .records import Answer, Hit, Post

NOT_FOUND = "No encontré información sobre eso en las publicaciones."
MONTHS = ("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
          "diciembre").split()
_RANK_WEIGHT = (1.0, 1.0, 1.0)  # measured: favouring the top post's sentences did not help
_WINDOW_CHARS = 700  # the first excerpt grows by a sentence each side while this short
_MIN_WORDS, _MAX_WORDS = 4, 80
_DENSE = 0.3  # semantic share of a sentence's score; the rest is key-term overlap
_EMBED_LIMIT = 40  # sentences embedded per answer (latency)
_KEEP = 0.85  # other sentences must score this close to the best one
Similarity = Callable[[list[str]], np.ndarray]


def spanish_date(date: str | None) -> str:
    """``2024-10-29`` -> ``29 de octubre de 2024``; a year stays a year; None -> ''."""
    if not date:
        return ""
    if len(date) >= 10:
        year, month, day = date[:10].split("-")
        return f"{int(day)} de {MONTHS[int(month) - 1]} de {year}"
    return date


@dataclass
class _Candidate:
    post_rank: int
    hit: Hit
    start: int
    end: int
    score: float
    overlap: float = 0.0  # share of the question's (idf-weighted) terms in the sentence


def _spans(post: Post, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences inside ``post.text[start:end]``, block by block."""
    out = []
    for block in post.blocks:
        s, e = max(block.start, start), min(block.end, end)
        if s < e and not block.heading:
            out += sentence_spans(post.text, s, e)
    return out


def _weights(question: str, analyzer: Analyzer, df: dict[str, int], n_posts: int):
    terms = dict.fromkeys(analyzer.terms(question))
    return {t: math.log((n_posts + 1) / (df.get(t, 0) + 0.5)) for t in terms}


def _sentences(gen: Generation, hits: list[Hit]) -> list[_Candidate]:
    """Whole top post, and the best passage of the next two: their sentences, deduplicated."""
    posts = gen.by_path
    out, seen = [], set()
    for rank, hit in enumerate(hits[:3]):
        post = posts[hit.path]
        start, end = (0, len(post.text)) if rank == 0 else (hit.start, hit.end)
        for s, e in _spans(post, start, end):
            sentence = post.text[s:e]
            key = " ".join(sentence.lower().split())
            if _MIN_WORDS <= len(sentence.split()) <= _MAX_WORDS and key not in seen:
                seen.add(key)
                out.append(_Candidate(rank, hit, s, e, 0.0))
    return out


def _score(candidates: list[_Candidate], gen: Generation, question: str,
           similarities: np.ndarray) -> None:
    """Semantic similarity (min-max over the candidates) + key-term overlap + answer kind."""
    kind = asked_kind(question)
    lo, hi = float(similarities.min()), float(similarities.max())
    for c, sim in zip(candidates, similarities):
        sentence = gen.by_path[c.hit.path].text[c.start:c.end]
        dense = (float(sim) - lo) / (hi - lo) if hi > lo else 1.0
        bonus = 0.2 if kind and has_kind(kind, sentence, question) else 0.0
        c.score = (_DENSE * dense + (1 - _DENSE) * c.overlap + bonus) * \
            _RANK_WEIGHT[c.post_rank]


def _most_overlapping(candidates: list[_Candidate], gen: Generation, question: str,
                      analyzer: Analyzer, limit: int) -> list[_Candidate]:
    """Record each candidate's key-term overlap; return the ``limit`` that overlap most."""
    weights = _weights(question, analyzer, gen.document_frequency, len(gen.posts))
    total = sum(weights.values()) or 1.0
    for c in candidates:
        found = set(analyzer.terms(gen.by_path[c.hit.path].text[c.start:c.end]))
        c.overlap = sum(w for t, w in weights.items() if t in found) / total
    return sorted(candidates, key=lambda c: c.overlap, reverse=True)[:limit]


def _window(best: _Candidate, candidates: list[_Candidate], post: Post) -> _Candidate:
    """The best sentence with the sentences just before and after it in the same section,
    when together they stay short: the answer often sits one sentence away from the best
    match."""
    same = sorted((c for c in candidates if c.hit.path == best.hit.path), key=lambda c: c.start)
    headings = [b.start for b in post.blocks if b.heading]
    i = same.index(best)
    start, end = best.start, best.end
    for j in (i - 1, i + 1):
        if 0 <= j < len(same):
            s, e = min(start, same[j].start), max(end, same[j].end)
            if e - s <= _WINDOW_CHARS and not any(s < h < e for h in headings):
                start, end = s, e
    return replace(best, start=start, end=end)


def _choose(candidates: list[_Candidate], posts: dict[str, Post],
            limit: int = 3) -> list[_Candidate]:
    """The best sentence in its context, then the best sentences of other posts that score
    nearly as well, until ``limit`` sentences."""
    ranked = sorted(candidates, key=lambda c: -c.score)
    if not ranked or ranked[0].score <= 0:
        return []
    first = _window(ranked[0], candidates, posts[ranked[0].hit.path])
    chosen = [first]
    used = sum(1 for c in candidates
               if c.hit.path == first.hit.path and first.start <= c.start < first.end)
    for c in ranked[1:]:
        if used >= limit or c.score < _KEEP * ranked[0].score:
            break
        if all(c.hit.path != x.hit.path for x in chosen):
            chosen.append(c)
            used += 1
    return chosen


def _cite(sentence: str, number: int) -> str:
    match = re.search(r"[.!?…]+[\"'”»)]*$", sentence)
    if match:
        return f"{sentence[:match.start()]} [{number}]{sentence[match.start():]}"
    return f"{sentence} [{number}]."


def compose(question: str, gen: Generation, hits: list[Hit], found: bool,
            analyzer: Analyzer, similarity: Similarity, reason: str = "") -> Answer:
    """The answer for ``question`` from ranked ``hits`` and the answer decision.

    ``similarity(texts)`` gives the semantic similarity of the question to each text.
    """
    chosen = []
    candidates = _sentences(gen, hits) if found else []
    if candidates:
        posts = gen.by_path
        # Embedding sentences is the slow part: only the ones sharing most key terms compete.
        scored = _most_overlapping(candidates, gen, question, analyzer, _EMBED_LIMIT)
        texts = [f"{c.hit.title}. {posts[c.hit.path].text[c.start:c.end]}" for c in scored]
        _score(scored, gen, question, similarity(texts))
        chosen = _choose(candidates, posts)
    if not chosen:
        return Answer(question, False, NOT_FOUND, related=hits[:3],
                      reason=reason or "ninguna frase de las publicaciones responde")
    posts = gen.by_path
    citations: list[Hit] = []
    parts = []
    for c in chosen:
        text = posts[c.hit.path].text[c.start:c.end]
        citations.append(replace(c.hit, text=text, start=c.start, end=c.end,
                                 signals=dict(c.hit.signals)))
        parts.append(_cite(text, len(citations)))
    used = {c.path for c in citations}
    related = [h for h in hits if h.path not in used][:3]
    return Answer(question, True, " ".join(parts), citations, related, reason)
