"""``askposts fit``: fit the answer model on labelled questions, with grouped cross-validation.

Three logistic regressions, fitted in order on the features the query path computes:
1. fusion (post ranking): relevant posts against the other top candidates;
2. sentence scorer: answer sentences against the other sentences of the top posts, using the
   fitted fusion to choose the posts;
3. decision: answerable questions against unanswerable ones, from out-of-fold sentence
   scores. The threshold is the probability that refuses at most ``refuse`` of the answerable
   questions of every data set, chosen on held-out folds.
Folds are grouped (SQuAD: by article; a site's questions: by post) so no question's article or
post is both fitted and judged; reported figures are fold means. Needs scikit-learn.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import DECISION_FEATURES, POST_FEATURES, SENTENCE_FEATURES, Candidates, \
    QuestionInfo, candidates, decision_features, question_info
from .fitdata import Labelled, holds_answer
from .generation import Generation
from .lexical import Analyzer
from .model import Linear
from .periods import mentioned_periods
from .retrieve import score, top_posts

FOLDS = 5
SEED = 13
NEGATIVE_POSTS = 30  # ranking: negatives are the best-ranked non-relevant posts


@dataclass
class Asked:
    """One labelled question run through the query path of one data set's index."""

    q: Labelled
    dataset: str
    fold: int
    features: np.ndarray  # post features (n_posts, POST_FEATURES)
    relevant: np.ndarray  # post indexes
    qvec: np.ndarray
    info: QuestionInfo | None = None
    cands: Candidates | None = None
    labels: np.ndarray | None = None
    top: list[int] | None = None
    fused: np.ndarray | None = None
    dense_post: np.ndarray | None = None
    gen: Generation | None = None
    ranked: np.ndarray | None = None  # per post: proposed by a ranker (retrieve.score)


def _folds(groups: list[str], n: int = FOLDS) -> list[int]:
    """Groups shuffled (seeded) and dealt into ``n`` folds of similar size."""
    rng = np.random.default_rng(SEED)
    names = sorted(set(groups))
    rng.shuffle(names)
    sizes = {g: 0 for g in names}
    for g in groups:
        sizes[g] += 1
    load, fold_of = [0] * n, {}
    for g in sorted(names, key=lambda g: -sizes[g]):  # largest first, to the lightest fold
        k = int(np.argmin(load))
        fold_of[g] = k
        load[k] += sizes[g]
    return [fold_of[g] for g in groups]


def ask_all(gen: Generation, analyzer: Analyzer, questions: list[Labelled], qvecs: np.ndarray,
            dataset: str, fusion: Linear) -> list[Asked]:
    folds = _folds([q.group for q in questions])
    out = []
    for q, qvec, fold in zip(questions, qvecs, folds):
        sc = score(gen, qvec, analyzer.terms(q.question), fusion, None,
                   mentioned_periods(q.question))
        rel = np.array([gen.post_index[p] for p in q.relevant if p in gen.post_index], np.int64)
        out.append(Asked(q, dataset, fold, sc.features.astype(np.float32), rel, qvec, gen=gen,
                         ranked=np.isfinite(sc.fused)))
    return out


def _logreg(x, y, w=None, c: float = 1.0):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000).fit(x, y, sample_weight=w)


def _weights(items: list[Asked], per_item: list[int]) -> np.ndarray:
    """Each data set weighs the same in total, whatever its size."""
    sizes = {}
    for a in items:
        sizes[a.dataset] = sizes.get(a.dataset, 0) + 1
    w = np.concatenate([np.full(n, 1.0 / sizes[a.dataset]) for a, n in zip(items, per_item)])
    return w / w.mean()  # mean 1: the regularisation strength keeps its usual meaning


# -- 1. fusion -----------------------------------------------------------------------------
def _ranking_pairs(items: list[Asked], start: Linear):
    """Pairwise rows: (relevant - negative) -> 1 and its mirror -> 0, per question."""
    xs, counts = [], []
    for a in items:
        scores = np.where(a.ranked, start.logit(a.features), -np.inf)  # candidates only
        negatives = [i for i in np.argsort(-scores) if a.ranked[i]
                     and i not in set(a.relevant)][:NEGATIVE_POSTS]
        diff = (a.features[a.relevant[:1]] - a.features[negatives])
        if not a.ranked[a.relevant[0]]:  # no ranker proposed it: its features say nothing
            diff = diff[:0]
        xs.append(diff)
        counts.append(len(diff))
    x = np.vstack(xs)
    return np.vstack([x, -x]), np.r_[np.ones(len(x)), np.zeros(len(x))], counts


def fit_fusion(items: list[Asked], start: Linear) -> Linear:
    answerable = [a for a in items if len(a.relevant)]
    x, y, counts = _ranking_pairs(answerable, start)
    w = _weights(answerable, counts)
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1.0, max_iter=2000, fit_intercept=False).fit(
        x, y, sample_weight=np.r_[w, w])
    return Linear(POST_FEATURES, lr.coef_[0].astype(np.float64), 0.0)


def ranking_metrics(items: list[Asked], fusion: Linear) -> dict:
    mrr, hit5 = [], []
    for a in items:
        if not len(a.relevant):
            continue
        logits = np.where(a.ranked, fusion.logit(a.features), -np.inf)
        order = np.argsort(-logits, kind="stable")[:10]
        ranks = [r for r, i in enumerate(order, 1) if i in set(a.relevant)]
        mrr.append(1.0 / ranks[0] if ranks else 0.0)
        hit5.append(float(bool(ranks) and ranks[0] <= 5))
    return {"mrr@10": float(np.mean(mrr)), "hit@5": float(np.mean(hit5)), "n": len(mrr)}


# -- 2. sentences ---------------------------------------------------------------------------
def add_candidates(analyzer: Analyzer, items: list[Asked], fusion: Linear) -> None:
    for a in items:
        gen = a.gen
        sc = score(gen, a.qvec, analyzer.terms(a.q.question), fusion, None,
                   mentioned_periods(a.q.question))
        a.top, a.fused, a.dense_post = top_posts(sc, 10), sc.fused, sc.dense_post
        a.info = question_info(a.q.question, gen, analyzer)
        a.cands = candidates(gen, a.info, a.top, sc.fused, sc.sentence_cos, sc.dense_passage,
                             sc.lexical_passage)
        a.labels = np.array([holds_answer(a.q, gen.posts[int(gen.sentences[s, 0])].path,
                                          gen.sentence(int(s))) for s in a.cands.ids], float)


def fit_sentence(items: list[Asked]) -> Linear:
    from sklearn.preprocessing import StandardScaler

    used = [a for a in items if len(a.cands.ids)]
    x = np.vstack([a.cands.rows for a in used])
    y = np.concatenate([a.labels for a in used])
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    lr = _logreg((x - scaler.mean_) / scale, y, _weights(used, [len(a.labels) for a in used]))
    return Linear(SENTENCE_FEATURES, lr.coef_[0], float(lr.intercept_[0]), scaler.mean_, scale)


def sentence_metrics(items: list[Asked], model: Linear) -> dict:
    """Share of answerable questions whose best-scored sentence holds the answer."""
    good = [float(len(a.labels) and a.labels[int(np.argmax(model.logit(a.cands.rows)))] > 0)
            for a in items if len(a.relevant)]
    return {"top1_holds_answer": float(np.mean(good)) if good else 0.0, "n": len(good)}


# -- 3. decision ----------------------------------------------------------------------------
def decision_rows(items: list[Asked], sentence: Linear) -> np.ndarray:
    if not items:
        return np.zeros((0, len(DECISION_FEATURES)))
    return np.vstack([decision_features(a.gen, a.info, a.cands,
                                        sentence.logit(a.cands.rows) if len(a.cands.ids)
                                        else np.zeros(0), a.top, a.fused, a.dense_post)
                      for a in items])


def fit_decision(rows: np.ndarray, items: list[Asked], c: float = 0.3) -> Linear:
    from sklearn.preprocessing import StandardScaler

    y = np.array([float(len(a.q.relevant) > 0) for a in items])
    scaler = StandardScaler().fit(rows)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    lr = _logreg((rows - scaler.mean_) / scale, y, _weights(items, [1] * len(items)), c)
    return Linear(DECISION_FEATURES, lr.coef_[0], float(lr.intercept_[0]), scaler.mean_, scale)


def threshold_for(probs: np.ndarray, items: list[Asked], refuse: float) -> float:
    """The highest threshold refusing at most ``refuse`` of each data set's answerable."""
    cuts = []
    for name in sorted({a.dataset for a in items}):
        p = [pr for pr, a in zip(probs, items) if a.dataset == name and a.q.relevant]
        if p:
            cuts.append(float(np.quantile(p, refuse, method="lower")))
    return min(cuts) if cuts else 0.5


def decision_metrics(probs: np.ndarray, items: list[Asked], threshold: float) -> dict:
    answerable = np.array([bool(a.q.relevant) for a in items])
    said = probs >= threshold
    return {"refusal_accuracy": float(np.mean(said == answerable)),
            "refused_answerable": float(np.mean(~said[answerable])) if answerable.any() else 0.0,
            "n": len(items)}


def answer_metrics(items: list[Asked], sentence: Linear, probs: np.ndarray,
                   threshold: float) -> dict:
    """Found answers whose first citation holds the evidence / a gold answer."""
    good = []
    for a, p in zip(items, probs):
        if p >= threshold and a.q.relevant and len(a.cands.ids):
            good.append(float(a.labels[int(np.argmax(sentence.logit(a.cands.rows)))] > 0))
    return {"first_citation_holds_answer": float(np.mean(good)) if good else 0.0,
            "n": len(good)}
