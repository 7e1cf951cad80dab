"""The fit report's figures: what a citizen judges replies by, as fold means per data set.

Every figure is computed on each fold's held-out items with the choices made on the other
folds (``train.cross_fit``), then averaged over the folds.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .fit import FOLDS, Asked, Judged

if TYPE_CHECKING:
    from .train import Choices, CrossFit

OFF_TOPIC = "fuera-de-tema"  # the data set of questions asked of the other set's posts


def means(per_fold: list[dict]) -> dict:
    """The mean of each figure over the folds that have it, rounded for the report."""
    keys = sorted({k for f in per_fold for k in f})
    return {k: round(float(np.mean([f[k] for f in per_fold if k in f])), 4) for k in keys}


def grades(done: list[Judged], p: np.ndarray, t: np.ndarray, choices: "Choices"
           ) -> np.ndarray:
    """Each reply's grade (answer / near / none) under a fold's thresholds."""
    grade = np.where(p >= choices.threshold, "answer",
                     np.where(t >= choices.near, "near", "none"))
    return np.where([d.quote is None for d in done], "none", grade)


def grade_metrics(items: list[Asked], done: list[Judged], p: np.ndarray, t: np.ndarray,
                  choices: "Choices") -> dict:
    """The figures a citizen judges replies by, for one fold of one data set."""
    return graded_metrics(items, done, grades(done, p, t, choices))


def graded_metrics(items: list[Asked], done: list[Judged], grade: np.ndarray) -> dict:
    """``grade_metrics`` of replies already graded."""
    ans = np.array([a.answerable for a in items])
    holds = np.array([d.holds and g != "none" for d, g in zip(done, grade)])
    said = grade == "answer"
    out = {"hedged_unanswerable": float(np.mean(~said[~ans])) if (~ans).any() else None,
           "none_unanswerable": float(np.mean(grade[~ans] == "none")) if (~ans).any() else None,
           "confidently_wrong": float(np.mean(said & ~holds))}
    if ans.any():
        out |= {"quote_holds": float(np.mean(holds[ans])),
                "answered": float(np.mean(said[ans])),
                "none_answerable": float(np.mean(grade[ans] == "none")),
                "words": float(np.mean([d.words for d, g in zip(done, grade)
                                        if d.quote is not None and g != "none"] or [0]))}
    if said.any():
        out["answer_precision"] = float(np.mean(holds[said]))
    return {k: v for k, v in out.items() if v is not None}


def replies(items: list[Asked], cf: "CrossFit",
            keep: Callable[[Asked], bool] | None = None) -> dict:
    """Fold means of the replies' figures per data set, of the items ``keep`` selects."""
    return by_dataset(items, lambda k, idx: grade_metrics(
        [items[i] for i in idx], [cf.done[i] for i in idx], cf.p[idx], cf.t[idx],
        cf.choices[k]), off_topic=True, keep=keep)


def ceilings(items: list[Asked], done: list[Judged]) -> dict:
    """How high the quote can go, for answerable questions, as fold means: the share where
    some candidate window holds the answer (``any_window``: what the candidate posts allow)
    and where some window of the quoted post does (``quoted_post``: what a better choice
    inside that post allows); ``quote``: where the quote does (before grading)."""
    def fold(k: int, idx: list[int]) -> dict:
        rows = []
        for i in idx:
            a, d = items[i], done[i]
            if d.quote is None:
                rows.append((False, False, False))
                continue
            own = a.windows.rank == a.windows.rank[d.quote]
            rows.append((bool(a.labels.any()), bool(a.labels[own].any()), d.holds))
        got = np.array(rows, bool).reshape(-1, 3)
        return {"any_window": float(got[:, 0].mean()), "quoted_post": float(got[:, 1].mean()),
                "quote": float(got[:, 2].mean())}

    return by_dataset(items, fold, keep=lambda a: a.answerable)


def checked_replies(items: list[Asked], plain: "CrossFit", read: "CrossFit") -> dict:
    """``replies`` when the reader reads only what the plain model grades "answer" and the
    model that reads has the last word on those (``settings.reader`` = "answers");
    ``read``: the share of questions read."""
    def fold(k: int, idx: list[int]) -> dict:
        sub = [items[i] for i in idx]
        first = grades([plain.done[i] for i in idx], plain.p[idx], plain.t[idx], plain.choices[k])
        second = grades([read.done[i] for i in idx], read.p[idx], read.t[idx], read.choices[k])
        gate = first == "answer"
        done = [(read if g else plain).done[i] for i, g in zip(idx, gate)]
        return graded_metrics(sub, done, np.where(gate, second, first)) | {
            "read": float(np.mean(gate))}

    return by_dataset(items, fold, off_topic=True)


def by_dataset(items: list[Asked], fn: Callable[[int, list[int]], dict],
               off_topic: bool = False,
               keep: Callable[[Asked], bool] | None = None) -> dict:
    """Fold means of ``fn(fold, indexes of its test items)`` per data set (off-topic questions
    only where the figure means something for them: the replies), of the items ``keep``
    selects."""
    names = sorted({a.dataset for a in items if off_topic or a.dataset != OFF_TOPIC})
    out = {}
    for name in names:
        folds = []
        for k in range(FOLDS):
            test = [i for i, a in enumerate(items)
                    if a.dataset == name and a.fold == k and (keep is None or keep(a))]
            if test:
                folds.append(fn(k, test))
        out[name] = means(folds)
    return out
