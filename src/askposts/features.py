"""The signals the fitted answer model reads: per post, per sentence and per question.

Everything here is computed from the question vector and the index (no embedding): semantic
similarities with stored passage and sentence vectors, BM25, idf-weighted overlap of the
question's terms, whether a sentence holds the kind of answer asked for, negation and numbers
the question names. ``fitting`` trains on exactly these functions, so what was fitted is what
runs.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .evidence import asked_kind, has_kind, has_name, name_pairs, question_words
from .generation import Generation
from .lexical import Analyzer
from .spanish import ASKING_WORDS, NEGATIONS, fold
from .periods import affinity

POST_FEATURES = ("dense", "lex_post", "lex_passage", "sentence", "date")
SENTENCE_FEATURES = ("cos", "cos_gap", "cos_neighbour", "overlap", "overlap_window",
                     "rare_hit", "kind_match", "kind_miss", "post_inv_rank", "post_score",
                     "post_gap", "log_words", "first", "cos_rank", "overlap_rank",
                     "overlap_gap", "window_gap", "passage_cos", "passage_lex")
DECISION_FEATURES = ("best_logit", "logit_gap", "best_cos", "max_cos", "dense_top",
                     "overlap_best", "coverage_top", "missing_top", "missing_best",
                     "kind_asked", "kind_best", "negation_miss", "number_miss", "unknown",
                     "fused_gap", "n_terms", "kind_with_terms")
CANDIDATE_POSTS = 5  # the answer is looked for in the sentences of the best posts
_NUMBER = re.compile(r"\b\d[\d.,]*\b")


@dataclass
class QuestionInfo:
    """What is read from the question once: its terms with idf weights, kind, negation."""

    text: str
    terms: dict[str, float]  # stem -> idf normalised to 0..1 (1: not in the corpus at all)
    rarest: str | None
    kind: str | None
    negated: bool
    numbers: tuple[str, ...]
    unknown: float  # idf share of the terms no post contains


def question_info(question: str, gen: Generation, analyzer: Analyzer) -> QuestionInfo:
    n = len(gen.posts)
    top = math.log((n + 1) / 0.5)
    words = [w for w in analyzer.words(question) if w not in ASKING_WORDS]
    terms: dict[str, float] = {}
    for stem in analyzer.stem(words):
        df = gen.document_frequency.get(stem, 0)
        terms[stem] = math.log((n + 1) / (df + 0.5)) / top
    total = sum(terms.values()) or 1.0
    unknown = sum(w for t, w in terms.items() if t not in gen.document_frequency) / total
    tokens = set(re.findall(r"[a-z]+", fold(question)))
    return QuestionInfo(question, terms, max(terms, key=terms.get) if terms else None,
                        asked_kind(question), bool(tokens & NEGATIONS),
                        tuple(_NUMBER.findall(question)), unknown)


def minmax(x: np.ndarray) -> np.ndarray:
    """``x`` scaled to 0..1 (all zeros when its values are equal or it is empty)."""
    if not len(x):
        return np.zeros_like(x)
    lo, hi = x.min(), x.max()
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def per_post_max(values: np.ndarray, owners: np.ndarray, n_posts: int) -> np.ndarray:
    out = np.full(n_posts, -np.inf, dtype=np.float32)
    if len(values):
        np.maximum.at(out, owners, values)
    return out


def rows_and_owners(first: np.ndarray, posts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row ids of every passage (or sentence) of ``posts``, given where each post starts
    (``first``), in order; and for each row the position of its post in ``posts``."""
    starts, lengths = first[posts], first[posts + 1] - first[posts]
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    owners = np.repeat(np.arange(len(posts)), lengths)
    return (offsets + np.arange(int(lengths.sum()))).astype(np.int64), owners


def post_features(gen: Generation, posts: np.ndarray, dense_post: np.ndarray,
                  lex_post: np.ndarray, lex_best: np.ndarray, best_sentence: np.ndarray,
                  periods: list[tuple[int, int]]) -> np.ndarray:
    """(len(posts), len(POST_FEATURES)) for the candidate ``posts``: each ranker's score
    min-max normalised over them. Arrays are per candidate; ``best_sentence`` -inf: the post
    has no sentence, and its best passage stands in."""
    best_sentence = np.where(np.isfinite(best_sentence), best_sentence, dense_post)
    date = affinity(periods, gen.periods[posts]) if periods \
        else np.zeros(len(posts), np.float32)
    return np.stack([minmax(dense_post), minmax(lex_post), minmax(lex_best),
                     minmax(best_sentence), date], axis=1)


def _share(info: QuestionInfo, found: set[str]) -> float:
    total = sum(info.terms.values())
    return sum(w for t, w in info.terms.items() if t in found) / total if total else 0.0


def _shares(weight: np.ndarray, found: np.ndarray) -> np.ndarray:
    """``_share`` of each row of ``found`` (rows x the question's terms, in their order)."""
    total = weight.sum()
    return np.where(found, weight, 0.0).sum(axis=-1) / total if total else \
        np.zeros(found.shape[:-1])


def _missing(info: QuestionInfo, found: set[str]) -> float:
    return max((w for t, w in info.terms.items() if t not in found), default=0.0)


@dataclass
class Candidates:
    """The sentences an answer can quote, with one feature row each."""

    ids: np.ndarray  # sentence ids in the generation
    ranks: np.ndarray  # rank (0-based) of each sentence's post
    rows: np.ndarray  # (n, len(SENTENCE_FEATURES))
    missing: np.ndarray  # per sentence: max idf of a question term absent from its window
    negation_miss: np.ndarray  # the question negates and the window does not
    number_miss: np.ndarray  # the question names a number the window does not
    kind_with_terms: np.ndarray  # the window holds the asked kind and a rare question term


def candidates(gen: Generation, info: QuestionInfo, top: list[int], fused: np.ndarray,
               sentence_cos: np.ndarray, passage_cos: np.ndarray,
               passage_lex: np.ndarray) -> Candidates:
    """Feature rows for every sentence of the top posts.

    Computed over arrays at once: each sentence's memoised terms and flags are read once,
    and its window (itself and its neighbours) is the rows next to it (``_around``)."""
    posts = np.asarray(top[:CANDIDATE_POSTS], np.int64)
    ids_a, ranks_a = rows_and_owners(gen.sentence_first, posts)
    if not len(ids_a):
        empty = np.zeros((0, len(SENTENCE_FEATURES)), np.float32)
        return Candidates(ids_a, np.zeros(0, np.int64), empty, *(np.zeros(0),) * 4)
    owner = posts[ranks_a]
    start, end = gen.sentence_first[owner], gen.sentence_first[owner + 1]
    # Neighbours count only inside the sentence's own post.
    is_first, has_prev, has_next = ids_a == start, ids_a > start, ids_a + 1 < end
    cos = sentence_cos[ids_a]
    around_cos = sentence_cos[np.concatenate([ids_a - 1, ids_a + 1])]
    prev_cos = np.where(has_prev, around_cos[:len(ids_a)], -np.inf)
    next_cos = np.where(has_next, around_cos[len(ids_a):], -np.inf)
    neighbour = np.where(has_prev | has_next, np.maximum(prev_cos, next_cos), cos)
    post_fused = fused[owner]
    sids = ids_a.tolist()
    texts = [gen.sentence(i) for i in sids]
    words = np.log1p([len(t.split()) for t in texts])
    # Each question term in each sentence, then in its window (the sentence and its
    # neighbours in the same post: the rows next to it, as a post's sentences are in order).
    terms = list(info.terms)
    weight = np.array([info.terms[t] for t in terms], np.float64)
    here = np.array([[t in found for t in terms] for found in map(gen.sentence_terms, sids)],
                    bool).reshape(len(sids), len(terms))
    in_window = _around(here, has_prev, has_next)
    rare = sorted(terms, key=info.terms.get, reverse=True)[:3]
    rare_here = here[:, [terms.index(t) for t in rare]].any(axis=1)
    kind = _kinds(gen, info, sids)
    kind_window = _around(kind, has_prev, has_next)
    negation = np.array([gen.sentence_flag("negation", _negates, i) for i in sids], bool) \
        if info.negated else np.ones(len(sids), bool)
    numbers = np.array([[n in text for n in info.numbers] for text in texts],
                       bool).reshape(len(sids), len(info.numbers))
    rarest = here[:, terms.index(info.rarest)] if info.rarest else np.zeros(len(sids), bool)
    by_terms = np.column_stack([
        _shares(weight, here), _shares(weight, in_window), rarest, kind,
        np.full(len(sids), bool(info.kind)) & ~kind]).astype(np.float32)
    missing = np.where(in_window, 0.0, weight).max(axis=1, initial=0.0)
    # Where each sentence stands among the candidates: ranks carry over between corpora
    # better than raw values (a long post has many mediocre sentences).
    overlap, window = by_terms[:, 0], by_terms[:, 1]
    # The passage around a sentence is the context retrieval matched.
    around = gen.sentence_passage[ids_a]
    lex = passage_lex[around]
    rows_a = np.column_stack([
        cos, cos - cos.max(), neighbour, by_terms, 1.0 / (ranks_a + 1), post_fused,
        fused[posts[0]] - post_fused, words, is_first,
        1.0 / (1 + _rank(cos)), 1.0 / (1 + _rank(overlap)),
        overlap - overlap.max(), window - window.max(),
        passage_cos[around], lex / lex.max() if lex.max() > 0 else lex])
    return Candidates(ids_a, ranks_a, rows_a.astype(np.float32), missing,
                      (info.negated & ~_around(negation, has_prev, has_next)).astype(float),
                      (~_around(numbers, has_prev, has_next)).any(axis=1).astype(float),
                      (kind_window & rare_here).astype(float))


def _around(x: np.ndarray, has_prev: np.ndarray, has_next: np.ndarray) -> np.ndarray:
    """Per row, ``x`` or'ed with the row before and the row after where they exist."""
    out = x.copy()
    shape = (-1,) + (1,) * (x.ndim - 1)
    out[1:] |= x[:-1] & has_prev[1:].reshape(shape)
    out[:-1] |= x[1:] & has_next[:-1].reshape(shape)
    return out


def _kinds(gen: Generation, info: QuestionInfo, sids: list[int]) -> np.ndarray:
    """Per sentence: does it hold the kind of answer asked for (all False for open ones)."""
    if info.kind is None:
        return np.zeros(len(sids), bool)
    if info.kind == "person":  # a name must not be a word of the question: that part only
        asked = question_words(info.text)  # depends on the question
        return np.array([has_name(gen.sentence_value("name_pairs", name_pairs, i), asked)
                         for i in sids], bool)
    name, test = f"kind:{info.kind}", lambda t: has_kind(info.kind, t)
    return np.array([gen.sentence_flag(name, test, i) for i in sids], bool)


def _negates(text: str) -> bool:
    return bool(set(re.findall(r"[a-z]+", fold(text))) & NEGATIONS)


def _rank(values: np.ndarray) -> np.ndarray:
    """0 for the best value, 1 for the next, ... (ties share the better rank)."""
    return np.searchsorted(np.sort(-values), -values, side="left").astype(np.float32)


def decision_features(gen: Generation, info: QuestionInfo, cands: Candidates,
                      logits: np.ndarray, top: list[int], fused: np.ndarray,
                      dense_post: np.ndarray) -> np.ndarray:
    """One row of DECISION_FEATURES from the sentences' fitted logits."""
    if not len(cands.ids):
        best, gap, best_cos, max_cos = -10.0, 0.0, 0.0, 0.0
        overlap, missing, kind_best, neg, num = 0.0, 1.0, 0.0, float(info.negated), 1.0
    else:
        order = np.argsort(-logits)
        b = int(order[0])
        best = float(logits[b])
        gap = best - float(logits[order[1]]) if len(order) > 1 else 1.0
        best_cos, max_cos = float(cands.rows[b, 0]), float(cands.rows[:, 0].max())
        overlap = float(cands.rows[b, SENTENCE_FEATURES.index("overlap_window")])
        missing, neg, num = float(cands.missing[b]), float(cands.negation_miss[b]), \
            float(cands.number_miss[b])
        kind_best = float(cands.rows[b, SENTENCE_FEATURES.index("kind_match")])
    top_terms = gen.post_terms(top[0]) if top else set()
    fused_gap = float(fused[top[0]] - fused[top[1]]) if len(top) > 1 else 1.0
    return np.array([
        best, gap, best_cos, max_cos, float(dense_post[top[0]]) if top else 0.0,
        overlap, _share(info, top_terms), _missing(info, top_terms), missing,
        float(bool(info.kind)), kind_best, neg, num, info.unknown, fused_gap,
        math.log1p(len(info.terms)),
        # As the old rule read it: in the top post, a sentence with one of the question's
        # rarest terms has the asked kind of answer in it or next to it.
        float(cands.kind_with_terms[cands.ranks == 0].max()) if len(cands.ids) and
        (cands.ranks == 0).any() else 0.0,
    ], dtype=np.float32)
