"""Hybrid ranking at post level: semantic passages fused with Spanish BM25.

For one query every ranker scores everything (the corpus is small, exact scores are cheap):
- dense: cosine of the query with each passage (e5), a post scored by its best passage;
- lexical: BM25 over whole posts mixed with the best passage's BM25.
Each score is min-max normalised over the candidate posts of this query, then
``fused = w * dense + (1 - w) * lexical``, plus a small boost for posts dated in a month or
year the question names (``periods``). The best passage of a post is the one with the best
fused passage score. docs/retrieval.md records how the weights were chosen.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .generation import Generation
from .periods import affinity
from .records import Hit


@dataclass
class QueryScores:
    """Every score for one query, kept so the answer decision can explain itself."""

    fused: np.ndarray  # per post, -inf where filtered out
    dense_post: np.ndarray
    lexical_post: np.ndarray
    best_passage: np.ndarray  # per post: passage index
    dense_passage: np.ndarray
    lexical_passage: np.ndarray


def _minmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if not mask.any():
        return np.zeros_like(x)
    lo, hi = x[mask].min(), x[mask].max()
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def _per_post_max(values: np.ndarray, owners: np.ndarray, n_posts: int) -> np.ndarray:
    out = np.full(n_posts, -np.inf, dtype=np.float32)
    np.maximum.at(out, owners, values)
    return out


def score(gen: Generation, qvec: np.ndarray, terms: list[str], dense_weight: float,
          post_lexical_weight: float, mask: np.ndarray | None = None,
          periods: list[tuple[int, int]] = (), date_weight: float = 0.0) -> QueryScores:
    n_posts, owners = len(gen.posts), gen.passage_post
    mask = np.ones(n_posts, bool) if mask is None else mask
    dense_p = np.zeros(len(gen.passages), np.float32)
    sims, ids = gen.vectors.search(qvec, len(gen.passages))
    dense_p[ids[ids >= 0]] = sims[ids >= 0]
    lex_p = gen.lex_passages.scores(terms)

    dense_post = _per_post_max(dense_p, owners, n_posts)
    lex_best = _per_post_max(lex_p, owners, n_posts)
    lex_post = (post_lexical_weight * _minmax(gen.lex_posts.scores(terms), mask)
                + (1 - post_lexical_weight) * _minmax(lex_best, mask))
    fused = dense_weight * _minmax(dense_post, mask) + (1 - dense_weight) * _minmax(lex_post, mask)
    if periods and date_weight:
        fused = fused + date_weight * affinity(periods, gen.periods)
    fused = np.where(mask, fused, -np.inf)

    passage_mask = mask[owners]
    passage_fused = (dense_weight * _minmax(dense_p, passage_mask)
                     + (1 - dense_weight) * _minmax(lex_p, passage_mask))
    best = np.full(n_posts, -1, dtype=np.int64)
    order = np.lexsort((passage_fused, owners))  # by post, then score ascending
    best[owners[order]] = order  # the last (best) passage of each post is written last
    return QueryScores(fused, dense_post, lex_post, best, dense_p, lex_p)


def top_posts(scores: QueryScores, k: int) -> list[int]:
    finite = np.flatnonzero(np.isfinite(scores.fused))
    order = finite[np.argsort(-scores.fused[finite], kind="stable")]
    return [int(i) for i in order[:k]]


def make_hit(gen: Generation, scores: QueryScores, post_idx: int, rank: int) -> Hit:
    post = gen.posts[post_idx]
    passage = gen.passages[scores.best_passage[post_idx]]
    return Hit(
        path=post.path, title=post.title, url=post.url, date=post.date,
        collection=post.collection, score=round(float(scores.fused[post_idx]), 4),
        text=passage.text, heading=passage.heading, start=passage.start, end=passage.end,
        programme=post.programme, link=post.link,
        signals={"rank": rank, "dense": round(float(scores.dense_post[post_idx]), 4),
                 "lexical": round(float(scores.lexical_post[post_idx]), 4)},
    )
