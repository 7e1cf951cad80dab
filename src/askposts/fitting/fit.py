"""The pieces of ``askposts fit``: labelled questions through the real query path, and the
four fits (fusion, window, answer, topic) with the figures they are judged by.

1. fusion (post ranking): pairwise, relevant post against the best-ranked others;
2. window scorer: windows that hold the answer against the other windows of the best posts;
3. trim: how much lower a trimmed window may score and still be quoted;
4. answer: does the quote hold the answer (labelled evidence, or a gold answer)?
   topic: does the corpus answer the question at all? Thresholds come from held-out folds.
Folds are grouped (SQuAD: by article; a site's questions: by post) so no article or post is
both fitted and judged. Needs scikit-learn.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..answering.candidates import Windows
from ..answering.features import WINDOW_FEATURES, window_rows
from ..answering.judge import choose
from ..answering.model import Linear
from ..answering.query import Query
from ..answering.rank import POST_FEATURES, QueryScores, score, top_posts
from ..answering.reading import Reading  # registers the reader's decision signals
from ..answering.verdict import DECISION_FEATURES, Verdict, decision_row
from ..indexing.generation import Generation
from ..indexing.lexical import Analyzer
from .data import Labelled, holds_answer

FOLDS = 5
SEED = 13
NEGATIVE_POSTS = 30  # ranking: negatives are the best-ranked non-relevant posts
ALL_WINDOW = tuple(WINDOW_FEATURES)
ALL_DECISION = tuple(DECISION_FEATURES)


@dataclass
class Asked:
    """One labelled question run through the query path of one data set's index."""

    q: Labelled
    dataset: str
    fold: int
    gen: Generation
    query: Query
    features: np.ndarray  # post features (n_posts, POST_FEATURES)
    relevant: np.ndarray  # post indexes
    ranked: np.ndarray  # per post: proposed by a ranker (retrieve.score)
    scores: QueryScores | None = None
    top: list[int] = field(default_factory=list)
    windows: Windows | None = None
    rows: np.ndarray | None = None  # (candidate windows, ALL_WINDOW)
    labels: np.ndarray | None = None  # per candidate window: holds the answer
    learn: bool = True  # may teach the models (a comparison leaves some out)

    @property
    def answerable(self) -> bool:
        return bool(self.q.relevant)

    def trains(self, fold: int) -> bool:
        """Whether it is in the training part of ``fold`` (the other folds' items)."""
        return self.fold != fold and self.learn


def folds_of(groups: list[str], n: int = FOLDS) -> list[int]:
    """Each item's fold: groups kept together, dealt by scikit-learn's seeded GroupKFold."""
    from sklearn.model_selection import GroupKFold

    fold = [0] * len(groups)
    splitter = GroupKFold(n_splits=min(n, len(set(groups))), shuffle=True, random_state=SEED)
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(groups)), groups=groups)):
        for i in test:
            fold[i] = k
    return fold


def ask_all(gen: Generation, analyzer: Analyzer, questions: list[Labelled], qvecs: np.ndarray,
            dataset: str, fusion: Linear) -> list[Asked]:
    folds = folds_of([q.group for q in questions])
    out = []
    for q, qvec, fold in zip(questions, qvecs, folds):
        query = Query.parse(q.question, gen, analyzer, qvec)
        sc = score(gen, query, fusion)
        rel = np.array([gen.post_index[p] for p in q.relevant if p in gen.post_index], np.int64)
        out.append(Asked(q, dataset, fold, gen, query, sc.features.astype(np.float32), rel,
                         np.isfinite(sc.fused)))
    return out


def _logreg(x, y, w=None, c: float = 1.0, intercept: bool = True):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000, fit_intercept=intercept).fit(
        x, y, sample_weight=w)


def weights(items: list[Asked], per_item: list[int]) -> np.ndarray:
    """Each data set weighs the same in total, whatever its size."""
    sizes: dict[str, int] = {}
    for a in items:
        sizes[a.dataset] = sizes.get(a.dataset, 0) + 1
    w = np.concatenate([np.full(n, 1.0 / sizes[a.dataset]) for a, n in zip(items, per_item)])
    return w / w.mean()  # mean 1: the regularisation strength keeps its usual meaning


def fit_scaled(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], w: np.ndarray,
               c: float = 1.0) -> Linear:
    """A standardised logistic regression over the named columns ``x``."""
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    lr = _logreg((x - scaler.mean_) / scale, y, w, c)
    return Linear(names, lr.coef_[0], float(lr.intercept_[0]), scaler.mean_, scale)


# -- 1. fusion -----------------------------------------------------------------------------
def fit_fusion(items: list[Asked], start: Linear) -> Linear:
    """Pairwise rows (relevant - negative -> 1, and the mirror -> 0) for each question."""
    answerable = [a for a in items if len(a.relevant)]
    xs, counts = [], []
    for a in answerable:
        logits = np.where(a.ranked, start.logit(a.features[:, start.columns(POST_FEATURES)]),
                          -np.inf)
        negatives = [i for i in np.argsort(-logits) if a.ranked[i]
                     and i not in set(a.relevant)][:NEGATIVE_POSTS]
        diff = a.features[a.relevant[:1]] - a.features[negatives]
        if not a.ranked[a.relevant[0]]:  # no ranker proposed it: its features say nothing
            diff = diff[:0]
        xs.append(diff)
        counts.append(len(diff))
    x, w = np.vstack(xs), weights(answerable, counts)
    lr = _logreg(np.vstack([x, -x]), np.r_[np.ones(len(x)), np.zeros(len(x))], np.r_[w, w],
                 intercept=False)
    return Linear(POST_FEATURES, lr.coef_[0].astype(np.float64), 0.0)


def ranking_metrics(items: list[Asked], fusion: Linear) -> dict:
    mrr, hit5 = [], []
    for a in items:
        if not len(a.relevant):
            continue
        logits = np.where(a.ranked, fusion.logit(a.features[:, fusion.columns(POST_FEATURES)]),
                          -np.inf)
        order = np.argsort(-logits, kind="stable")[:10]
        ranks = [r for r, i in enumerate(order, 1) if i in set(a.relevant)]
        mrr.append(1.0 / ranks[0] if ranks else 0.0)
        hit5.append(float(bool(ranks) and ranks[0] <= 5))
    if not mrr:  # a fold without an answerable question (tiny samples): nothing to rank
        return {"n": 0}
    return {"mrr@10": float(np.mean(mrr)), "hit@5": float(np.mean(hit5)), "n": len(mrr)}


# -- 2. windows -----------------------------------------------------------------------------
def add_windows(analyzer: Analyzer, a: Asked, fusion: Linear) -> None:
    """The question's candidate windows under ``fusion``, their signals and labels."""
    gen = a.gen
    a.scores = score(gen, a.query, fusion)
    a.top = top_posts(a.scores, 10)
    a.windows = Windows(gen, a.query, a.top, a.scores)
    a.rows = window_rows(a.windows, ALL_WINDOW).astype(np.float32)
    a.labels = np.array([holds_answer(a.q, gen.posts[int(gen.window_post[w])].path,
                                      gen.window(int(w))) for w in a.windows.ids], bool)


def fit_window(items: list[Asked], names: tuple[str, ...], l2: float = 10.0,
               rows: list[np.ndarray] | None = None,
               known: tuple[str, ...] = ALL_WINDOW) -> Linear:
    """The windows that hold the answer against the other candidates of their question, on
    questions that have one: a linear score fitted listwise, to maximise each question's
    softmax probability of its answer windows (what is quoted is the best of a question).
    ``rows``: each item's window signals named ``known`` (default: its ``rows``)."""
    from scipy.optimize import minimize

    rows = [a.rows for a in items] if rows is None else rows
    pairs = [(a, r) for a, r in zip(items, rows) if a.labels is not None and a.labels.any()]
    used = [a for a, _ in pairs]
    cols = [known.index(n) for n in names]
    x = np.vstack([r[:, cols] for _, r in pairs]).astype(np.float64)
    y = np.concatenate([a.labels for a in used]).astype(np.float64)
    sizes = np.array([len(a.labels) for a in used])
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    group = np.repeat(np.arange(len(used)), sizes)
    w = weights(used, [1] * len(used))
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z = (x - mean) / scale

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        s = z @ beta
        e = np.exp(s - np.maximum.reduceat(s, starts)[group])
        total, hit = np.add.reduceat(e, starts), np.add.reduceat(e * y, starts)
        value = -float(w @ (np.log(hit) - np.log(total))) + 0.5 * l2 * float(beta @ beta)
        coef = w[group] * (e * y / hit[group] - e / total[group])
        return value, -(coef @ z) + l2 * beta

    beta = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B").x
    return Linear(names, beta, 0.0, mean, scale)


def window_logits(a: Asked, model: Linear) -> np.ndarray:
    return model.logit(a.rows[:, [ALL_WINDOW.index(n) for n in model.features]]) \
        if len(a.rows) else np.zeros(0)


# -- 3-4. the quote and the decision ---------------------------------------------------------
@dataclass
class Judged:
    """One question's out-of-fold quote and decision signals."""

    quote: int | None  # candidate position
    holds: bool  # the quote holds the answer
    words: int
    row: np.ndarray  # ALL_DECISION


def judged(a: Asked, logits: np.ndarray, trim: float, reading: Reading | None = None
           ) -> Judged:
    if not len(logits):
        return Judged(None, False, 0, np.zeros(len(ALL_DECISION)))
    quote = choose(a.windows, logits, trim)
    verdict = Verdict(a.windows, logits, quote, a.top, a.scores, reading)
    return Judged(quote, bool(a.labels[quote]), int(a.windows.words[quote]),
                  decision_row(verdict, ALL_DECISION))


def quote_only(a: Asked, logits: np.ndarray, trim: float) -> tuple[bool, int]:
    """Whether the trimmed quote holds the answer, and its words (no decision signals)."""
    if not len(logits):
        return False, 0
    quote = choose(a.windows, logits, trim)
    return bool(a.labels[quote]), int(a.windows.words[quote])


def threshold_capping_wrong(p: np.ndarray, good: np.ndarray, cap: float) -> float:
    """The lowest threshold at which the replies that are not good stay at most ``cap`` of
    all the questions (counted from the most confident down); 1.0 when even the first is."""
    order = np.argsort(-p, kind="stable")
    wrong = np.cumsum(~good[order]) / max(len(p), 1)
    ok = np.flatnonzero(wrong <= cap)
    return float(p[order][ok[-1]]) if len(ok) else 1.0


def threshold_refusing(p: np.ndarray, answerable: np.ndarray, refuse: float) -> float:
    """The highest threshold refusing at most ``refuse`` of the answerable questions."""
    return float(np.quantile(p[answerable], refuse, method="lower")) if answerable.any() \
        else 0.5
