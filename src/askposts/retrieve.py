"""Hybrid ranking at post level: semantic passages and sentences fused with Spanish BM25.

For one query every ranker scores everything (the corpus is small, exact scores are cheap):
- dense: cosine of the query with each passage (e5), a post scored by its best passage;
- sentence: cosine with each sentence of the sentence index, a post scored by its best one;
- lexical: BM25 over whole posts and over passages (a post scored by its best passage).
Each score is min-max normalised over the candidate posts of this query and the fitted fusion
model (``model.AnswerModel.fusion``) weighs them, with a boost for posts dated in a month or
year the question names (``periods``). docs/retrieval.md records how the weights were fitted.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import minmax, per_post_max, post_features
from .generation import Generation
from .model import Linear
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
    sentence_cos: np.ndarray  # per sentence of the sentence index
    features: np.ndarray  # per post: features.POST_FEATURES


def score(gen: Generation, qvec: np.ndarray, terms: list[str], fusion: Linear,
          mask: np.ndarray | None = None, periods: list[tuple[int, int]] = ()) -> QueryScores:
    n_posts, owners = len(gen.posts), gen.passage_post
    mask = np.ones(n_posts, bool) if mask is None else mask
    dense_p = np.zeros(len(gen.passages), np.float32)
    sims, ids = gen.vectors.search(qvec, len(gen.passages))
    dense_p[ids[ids >= 0]] = sims[ids >= 0]
    lex_p = gen.lex_passages.scores(terms)
    sentence_cos = gen.sentence_vectors @ qvec if len(gen.sentence_vectors) \
        else np.zeros(0, np.float32)

    dense_post = per_post_max(dense_p, owners, n_posts)
    lex_best = per_post_max(lex_p, owners, n_posts)
    lex_post = gen.lex_posts.scores(terms)
    features = post_features(gen, dense_post, lex_post, lex_best, sentence_cos, mask, periods)
    fused = np.where(mask, fusion.logit(features), -np.inf)

    passage_mask = mask[owners]
    passage_fused = 0.5 * minmax(dense_p, passage_mask) + 0.5 * minmax(lex_p, passage_mask)
    best = np.full(n_posts, -1, dtype=np.int64)
    order = np.lexsort((passage_fused, owners))  # by post, then score ascending
    best[owners[order]] = order  # the last (best) passage of each post is written last
    return QueryScores(fused, dense_post, lex_post, best, dense_p, lex_p, sentence_cos,
                       features)


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
                 "lexical": round(float(scores.lexical_post[post_idx]), 4),
                 "sentence": round(float(scores.features[post_idx, 3]), 4)},
    )
