"""Hybrid ranking at post level: semantic passages and answer windows fused with Spanish BM25.

Two steps per query, so the cost follows the candidates, not the corpus:
1. each ranker proposes its ``limit`` best items among the posts the filters admit (filters
   are pushed into each ranker): passages by cosine (the passage vector index), answer windows
   by cosine (the window index), passages and whole posts by BM25;
2. every passage and window of the union of their posts is scored exactly: dense (a post
   scored by its best passage), window (its best answer window), lexical (BM25 of the post and
   of its best passage).
Each score is min-max normalised over the candidate posts and the fitted fusion model
(``model.AnswerModel.fusion``) weighs them, with a boost for posts dated in a month or year
the question names (``periods``). Posts no ranker proposed are not ranked (fused = -inf).
docs/retrieval.md records how the weights were fitted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..indexing.generation import Generation
from ..posts.periods import affinity
from ..records import Hit
from ..settings import Settings
from .arrays import minmax, per_post_max, rows_and_owners
from .query import Query

if TYPE_CHECKING:
    from .model import Linear

POST_FEATURES = ("dense", "lex_post", "lex_passage", "window", "date")


@dataclass
class QueryScores:
    """Every score for one query, kept so the answer decision can explain itself.

    Per-post arrays cover the corpus; passage and window cosines are ``Partial``: values for
    the passages and windows of candidate posts only, the only ones the answer layer reads."""

    fused: np.ndarray  # per post, -inf where not a candidate (or filtered out)
    dense_post: np.ndarray
    lexical_post: np.ndarray
    best_passage: np.ndarray  # per post: passage index
    dense_passage: "Partial"
    lexical_passage: np.ndarray
    window_cos: "Partial"  # per answer window
    features: np.ndarray  # per post: POST_FEATURES (0 where not a candidate)


class Partial:
    """Some entries of a corpus-sized vector (the candidates' passages or windows), read as
    the whole vector: ``p[ids]`` gives their values, 0 for ids it does not hold. Scattering
    a few thousand values into a million-row array would touch a page per value."""

    def __init__(self, ids: np.ndarray, values: np.ndarray) -> None:
        self.ids, self.values = ids, values.astype(np.float32)

    def __getitem__(self, idx):
        if not len(self.ids):
            return np.zeros(np.shape(idx), np.float32) if np.ndim(idx) else 0.0
        pos = np.minimum(np.searchsorted(self.ids, idx), len(self.ids) - 1)
        found = np.where(self.ids[pos] == idx, self.values[pos], 0.0).astype(np.float32)
        return float(found) if np.ndim(idx) == 0 else found


def _rows(first: np.ndarray, posts: np.ndarray) -> np.ndarray:
    """Row ids of every passage (or window) of ``posts``, given where each post starts."""
    return rows_and_owners(first, posts)[0]


def _top(values: np.ndarray, admitted: np.ndarray | None, k: int) -> np.ndarray:
    """Ids of the ``k`` highest positive ``values`` among ``admitted``."""
    ok = values > 0 if admitted is None else (values > 0) & admitted
    ids = np.flatnonzero(ok)
    return ids[np.argpartition(-values[ids], k - 1)[:k]] if len(ids) > k else ids


MAX_ITEMS_PER_POST = 4  # bounds the cost when posts have many passages


def _items_for(limit: int, items: int, posts: int) -> int:
    """How many passages (or windows) to ask a ranker for so they span about ``limit``
    posts: a corpus of at most ``limit`` posts is then scored whole, exactly as before."""
    return max(1, min(-(-limit * items // max(posts, 1)), MAX_ITEMS_PER_POST * limit))


def candidate_posts(gen: Generation, qvec: np.ndarray, lex_passage: np.ndarray,
                    lex_post: np.ndarray, mask: np.ndarray, limit: int) -> np.ndarray:
    """Sorted post ids that at least one ranker proposes, among the admitted ones."""
    owners, filtered, n = gen.passage_post, not mask.all(), int(mask.sum())
    admitted = np.flatnonzero(mask)
    passages = _rows(gen.passage_first, admitted) if filtered else None
    windows = _rows(gen.window_first, admitted) if filtered else None
    n_passages = len(passages) if filtered else len(gen.passages)
    n_windows = len(windows) if filtered else len(gen.windows)
    _, dense_ids = gen.vectors.search(qvec, _items_for(limit, n_passages, n), passages)
    _, window_ids = gen.window_index.search(qvec, _items_for(limit, n_windows, n), windows)
    found = np.zeros(len(gen.posts), bool)
    found[owners[dense_ids]] = True
    found[gen.window_post[window_ids]] = True
    found[owners[_top(lex_passage, mask[owners] if filtered else None,
                      _items_for(limit, n_passages, n))]] = True
    found[_top(lex_post, mask if filtered else None, limit)] = True
    return np.flatnonzero(found & mask)


def post_features(gen: Generation, posts: np.ndarray, dense_post: np.ndarray,
                  lex_post: np.ndarray, lex_best: np.ndarray, best_window: np.ndarray,
                  periods: tuple[tuple[int, int], ...]) -> np.ndarray:
    """(len(posts), len(POST_FEATURES)) for the candidate ``posts``: each ranker's score
    min-max normalised over them. ``best_window`` -inf: the post has no window (an empty
    body), and its best passage stands in."""
    best_window = np.where(np.isfinite(best_window), best_window, dense_post)
    date = affinity(list(periods), gen.periods[posts]) if periods \
        else np.zeros(len(posts), np.float32)
    return np.stack([minmax(dense_post), minmax(lex_post), minmax(lex_best),
                     minmax(best_window), date], axis=1)


def score(gen: Generation, query: Query, fusion: "Linear", mask: np.ndarray | None = None,
          limit: int = Settings.candidates) -> QueryScores:
    """Every ranker's scores for ``query`` on ``gen`` and the fused post scores."""
    n_posts, qvec = len(gen.posts), query.vector
    mask = np.ones(n_posts, bool) if mask is None else mask
    lex_p = gen.lex_passages.scores(list(query.terms))  # BM25 reads only the terms' postings
    lex_post = gen.lex_posts.scores(list(query.terms))
    posts = candidate_posts(gen, qvec, lex_p, lex_post, mask, limit)
    # Everything below is sized by the candidates, not by the corpus.
    pids, p_of = rows_and_owners(gen.passage_first, posts)
    wids, w_of = rows_and_owners(gen.window_first, posts)
    dense_p, window_cos = gen.vectors.scores(qvec, pids), gen.window_index.scores(qvec, wids)
    dense = per_post_max(dense_p, p_of, len(posts))
    features = post_features(gen, posts, dense, lex_post[posts],
                             per_post_max(lex_p[pids], p_of, len(posts)),
                             per_post_max(window_cos, w_of, len(posts)), query.periods)

    passage_fused = 0.5 * minmax(dense_p) + 0.5 * minmax(lex_p[pids])
    best = np.full(n_posts, -1, dtype=np.int64)
    order = np.lexsort((passage_fused, p_of))  # by post, then score ascending
    best[posts[p_of[order]]] = pids[order]  # each post's best passage is written last
    fused = fusion.logit(features[:, fusion.columns(POST_FEATURES)])
    return QueryScores(_spread(fused, posts, n_posts, -np.inf),
                       _spread(dense, posts, n_posts, -np.inf), lex_post, best,
                       Partial(pids, dense_p), lex_p, Partial(wids, window_cos),
                       _spread(features, posts, n_posts, 0.0))


def _spread(values: np.ndarray, posts: np.ndarray, n: int, fill: float) -> np.ndarray:
    """Per-candidate ``values`` as a per-post array (``fill`` for the other posts)."""
    out = np.full((n, *values.shape[1:]), fill, np.float32)
    out[posts] = values
    return out


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
                 "window": round(float(scores.features[post_idx, 3]), 4)},
    )
