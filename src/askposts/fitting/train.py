"""The whole fit, as ``askposts fit`` runs it: data sets -> grouped CV report -> model file.

    askposts fit --squad ../shared/eval/squad-es-v2/tune.json \\
        --questions ../shared/eval/train.jsonl ../shared/eval/dev.jsonl \\
        --content ../shared/corpus/redciudadana --out src/askposts/answering/answer_model.json

Every figure in the report is a mean over held-out folds: each fold's models and thresholds
are fitted on the other folds only, then judged on it. Seeded and deterministic; the indexes
and question vectors are cached in ``--work``.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import permutations
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..answering.model import AnswerModel, Linear, starting_fusion
from ..answering.reading import READER_SIGNALS
from ..indexing.generation import Generation
from ..indexing.lexical import Analyzer
from .corrected import changed, is_correction
from .data import Labelled, query_vectors, site_questions, squad_posts, usable_corrections
from .figures import OFF_TOPIC, by_dataset, ceilings, checked_replies, replies
from .fit import (
    ALL_DECISION,
    ALL_WINDOW,
    FOLDS,
    Asked,
    Judged,
    add_windows,
    ask_all,
    fit_fusion,
    fit_scaled,
    fit_window,
    judged,
    quote_only,
    ranking_metrics,
    threshold_capping_wrong,
    threshold_refusing,
    weights,
    window_logits,
)
from .fit_reading import READ_TOP, reading_stage

if TYPE_CHECKING:
    from ..answering.reader import Reader
    from ..indexing.builder import Builder

# One labelled data set: (name, its generation, its questions, their vectors).
Dataset = tuple[str, Generation, list[Labelled], np.ndarray]

CROSS = 600  # questions of each data set also asked of the other's posts: off topic by design
REFUSE = 0.03  # answerable questions graded "none", at most, on every data set
# Replies graded "answer" whose quote lacks the answer (or that answer the unanswerable), at
# most this share of all questions on every data set: a confident wrong reply is the worst.
WRONG = 0.10
TRIMS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
# The signals each model reads (any registered ones: features.WINDOW_FEATURES and
# judge.DECISION_FEATURES); the model file records them.
WINDOW_SIGNALS = ALL_WINDOW
ANSWER_SIGNALS = ALL_DECISION
TOPIC_SIGNALS = ALL_DECISION


def decision_signals(reads: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The answer and topic models' signals: the reader's only for a model that reads."""
    drop = () if reads else READER_SIGNALS
    return (tuple(n for n in ANSWER_SIGNALS if n not in drop),
            tuple(n for n in TOPIC_SIGNALS if n not in drop))


@dataclass
class Choices:
    """What a fold's training part decided: the trim and the two thresholds."""

    trim: float
    threshold: float
    near: float


def load_datasets(builder: "Builder", work: Path, squad: str | None,
                  questions: list[str] | None, content: str | None, sample: int | None = None,
                  log: Callable[[str], object] = print, corrections: str | None = None,
                  said: dict | None = None) -> list[Dataset]:
    """[(name, generation, questions, vectors)] with indexes built (or reused) in ``work``.
    ``corrections``: the staff's, added to the site's questions (same folds: grouped by
    post) when their passage still holds; ``said["corrections"]`` tells how many did."""
    sets = []
    if squad:
        posts = work / "squad-posts"
        sets.append(("squad", posts, squad_posts(squad, posts, articles=sample)))
    if (questions or corrections) and content:
        sets.append(("site", Path(content),
                     [q for f in questions or [] for q in site_questions(f)]))
    out = []
    for name, folder, qs in sets:
        qs = qs if not sample else _sample(qs, sample * 25)
        started = time.perf_counter()
        gen, _ = builder.build(folder, work / f"index-{name}", progress=None)
        if name == "site" and corrections:
            kept, skipped = usable_corrections(corrections, gen)
            qs = qs + kept
            report = {"used": len(kept), "answerable": sum(bool(q.relevant) for q in kept),
                      "skipped": skipped}
            log(f"correcciones: {len(kept)} usadas, {len(skipped)} descartadas"
                + "".join(f"\n  {s['id']} ({s['path']}): {s['why']}" for s in skipped))
            if said is not None:
                said["corrections"] = report
        vecs = query_vectors(builder.embedder, qs, work)
        log(f"{name}: {len(gen.posts)} publicaciones, {len(gen.windows)} ventanas, "
            f"{len(qs)} preguntas ({time.perf_counter() - started:.0f} s)")
        out.append((name, gen, qs, vecs))
    return out


def _sample(qs: list[Labelled], n: int) -> list[Labelled]:
    rng = np.random.default_rng(0)
    idx = sorted(rng.choice(len(qs), size=min(n, len(qs)), replace=False))
    return [qs[i] for i in idx]


def off_topic(datasets: list[Dataset], analyzer: Analyzer, fusion: Linear) -> list[Asked]:
    """Each data set's questions asked of the other data set's posts: none is answerable
    there, so they teach the decision what an off-topic question looks like."""
    out: list[Asked] = []
    for (_, _, qs, vecs), (other, gen, _, _) in permutations(datasets, 2):
        rng = np.random.default_rng(len(qs))
        idx = np.sort(rng.choice(len(qs), size=min(CROSS, len(qs)), replace=False))
        moved = [replace(qs[i], relevant=[], answers=[], evidence="", post="",
                         id=f"{other}:{qs[i].id}") for i in idx]
        out += ask_all(gen, analyzer, moved, vecs[idx], OFF_TOPIC, fusion)
    return out


def choose_trim(items: list[Asked], logits: list[np.ndarray]) -> float:
    """The largest trim whose quotes hold the answer nearly as often as the best trim's."""
    rates = []
    for trim in TRIMS:
        held = [quote_only(a, lg, trim)[0] for a, lg in zip(items, logits) if a.answerable]
        rates.append(np.mean(held) if held else 0.0)
    best = max(rates)
    return max(t for t, r in zip(TRIMS, rates) if r >= best - 0.005)


def choose_thresholds(items: list[Asked], p: np.ndarray, t: np.ndarray,
                      holds: np.ndarray) -> tuple[float, float]:
    """``threshold``: the lowest at which confident wrong replies stay within ``WRONG`` of
    every data set's questions; ``near``: refusing at most ``REFUSE`` of every data set's
    answerable questions."""
    cuts, nears = [], []
    answerable = np.array([a.answerable for a in items])
    for name in sorted({a.dataset for a in items}):
        own = np.array([a.dataset == name for a in items])
        cuts.append(threshold_capping_wrong(p[own], holds[own], WRONG))
        if answerable[own].any():
            nears.append(threshold_refusing(t[own], answerable[own], REFUSE))
    return max(cuts), min(nears)


def decide(items: list[Asked], done: list[Judged], answer_names: tuple[str, ...],
           topic_names: tuple[str, ...], c: float = 0.3) -> tuple[Linear, Linear]:
    """The answer model (the quote holds the answer) and the topic model (answerable)."""
    rows = np.vstack([d.row for d in done])
    w = weights(items, [1] * len(items))
    holds = np.array([d.holds for d in done], float)
    answerable = np.array([a.answerable for a in items], float)
    pick = lambda names: rows[:, [ALL_DECISION.index(n) for n in names]]  # noqa: E731
    return (fit_scaled(pick(answer_names), holds, answer_names, w, c),
            fit_scaled(pick(topic_names), answerable, topic_names, w, c))


@dataclass
class CrossFit:
    """Every item's out-of-fold results: each from models fitted on the other folds."""

    logits: list[np.ndarray]
    readings: list
    reading: Linear | None  # the reading model fitted on every item that learns
    done: list[Judged]
    p: np.ndarray  # the answer model's probability
    t: np.ndarray  # the topic model's probability
    choices: list[Choices]  # per fold
    report: dict


def cross_fit(items: list[Asked], analyzer: Analyzer, start: Linear,
              log: Callable[[str], object] = print, reader: "Reader | None" = None,
              work: Path | None = None, read_top: int = READ_TOP) -> CrossFit:
    """The grouped cross-validation of every model; only items that ``learn`` teach."""
    train = lambda k: [a for a in items if a.trains(k)]  # noqa: E731
    report: dict = {}
    fusions = [fit_fusion(train(k), start) for k in range(FOLDS)]
    report["ranking"] = by_dataset(
        items, lambda k, idx: ranking_metrics([items[i] for i in idx], fusions[k]))
    log(f"fusión: {report['ranking']}")
    for a in items:  # every question's windows under the fusion that did not see it
        add_windows(analyzer, a, fusions[a.fold])
    windows = [fit_window(train(k), WINDOW_SIGNALS) for k in range(FOLDS)]
    logits = [window_logits(a, windows[a.fold]) for a in items]
    readings: list = [None] * len(items)
    reading = None
    if reader is not None:
        logits, readings, reading, report["reader"] = reading_stage(
            items, logits, reader, work, read_top, log)
    trims = [choose_trim(train(k), [lg for a, lg in zip(items, logits) if a.trains(k)])
             for k in range(FOLDS)]
    done = [judged(a, lg, trims[a.fold], r) for a, lg, r in zip(items, logits, readings)]
    holds = np.array([d.holds for d in done])
    p, t = np.zeros(len(items)), np.zeros(len(items))
    models = [decide(train(k), [d for a, d in zip(items, done) if a.trains(k)],
                     *decision_signals(reader is not None)) for k in range(FOLDS)]
    for i, (a, d) in enumerate(zip(items, done)):
        answer, topic = models[a.fold]
        p[i] = answer.probability(d.row[[ALL_DECISION.index(n) for n in answer.features]])
        t[i] = topic.probability(d.row[[ALL_DECISION.index(n) for n in topic.features]])
    choices = []
    for k in range(FOLDS):
        rest = [i for i, a in enumerate(items) if a.trains(k)]
        cut, near = choose_thresholds([items[i] for i in rest], p[rest], t[rest], holds[rest])
        choices.append(Choices(trims[k], cut, near))
    cf = CrossFit(logits, readings, reading, done, p, t, choices, report)
    report["replies"] = replies(items, cf)
    report["ceilings"] = ceilings(items, done)
    report["fold_choices"] = [vars(ch) for ch in choices]
    log(f"respuestas: {report['replies']}")
    return cf


def fit(datasets: list[Dataset], analyzer: Analyzer, log: Callable[[str], object] = print,
        reader: "Reader | None" = None, work: Path | None = None,
        read_top: int = READ_TOP) -> tuple[AnswerModel, dict]:
    """Every model of the answer file, with a reading stage when ``reader`` is given. With
    staff corrections among the site's questions, the report also says what they changed:
    the same cross-validation without learning from them, first (``corrected.changed``)."""
    start = starting_fusion()
    items: list[Asked] = []
    for name, gen, qs, vecs in datasets:
        items += ask_all(gen, analyzer, qs, vecs, name, start)
    items += off_topic(datasets, analyzer, start)
    report: dict = {"folds": FOLDS, "wrong_at_most": WRONG, "refuse_at_most": REFUSE}
    corrected = [a for a in items if is_correction(a)]
    before = None
    if corrected:
        for a in corrected:
            a.learn = False
        log("correcciones: la misma validación cruzada sin aprender de ellas, para comparar")
        before = cross_fit(items, analyzer, start, lambda m: None, reader, work, read_top)
        for a in corrected:
            a.learn = True
    cf = cross_fit(items, analyzer, start, log, reader, work, read_top)
    report |= cf.report
    if reader is not None:  # as served by default: the reader checks the plain answers
        plain = cross_fit(items, analyzer, start, lambda m: None)
        report["replies_checked"] = checked_replies(items, plain, cf)
        log(f"respuestas con el lector solo en las que se darían: {report['replies_checked']}")
    if before is not None:
        report["corrections_changed"] = changed(items, before, cf, log)

    fusion = fit_fusion(items, start)
    window = fit_window(items, WINDOW_SIGNALS)
    trim = choose_trim(items, cf.logits)
    answer, topic = decide(items, cf.done, *decision_signals(reader is not None))
    threshold, near = choose_thresholds(items, cf.p, cf.t, np.array([d.holds for d in cf.done]))
    report |= {"trim": trim, "threshold": round(threshold, 4), "near": round(near, 4),
               "data": {name: len(qs) for name, _, qs, _ in datasets}}
    return AnswerModel(fusion, window, answer, topic, trim, threshold, near, report,
                       cf.reading, read_top if cf.reading is not None else 0), report
