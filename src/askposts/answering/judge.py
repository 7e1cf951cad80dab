"""Judge a ranked question: the best answer window, trimmed, and how sure the answer is.

1. The window model scores every candidate window (``features``): the logit that it holds
   the answer. With a reader (``reader``, ``reading``), ``AnswerModel.read_top``
   units of the best windows are read beside the question and the ``reading`` model
   gives the final logits from the first-stage logit and the reader's scores.
2. The quote is the best window, trimmed of a first or last unit while the trimmed window
   scores within ``AnswerModel.trim`` of the best (the unit "adds nothing").
3. The decision signals (``DECISION_FEATURES``: named functions of the quote, the other
   windows and the question) feed two fitted models: ``answer``, the probability that the
   quote holds the answer, and ``topic``, the probability that the posts answer the question
   at all. Three grades follow:
   - ``answer``: the quote holds the answer with probability at least ``threshold``;
   - ``near``: it may not, but the posts are on topic (``topic`` at least ``near``): shown as
     the closest passage, saying it may not answer;
   - ``none``: nothing on topic.
4. With a checking model (``settings.reader`` = "answers"), a reply graded "answer" is
   judged again, from step 1, by the answer model that reads: it has the last word.
``Index.answers`` and ``Index.ask`` both read this one judgement.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..indexing.generation import Generation
from ..spanish import messages as msg
from ..spanish.messages import REASON_HEADS, SIGNAL_WORDS
from .candidates import Windows
from .features import WINDOW_FEATURES, window_rows
from .model import AnswerModel, Linear
from .query import Query
from .rank import POST_FEATURES
from .reader import Reader, ReaderError
from .reading import READING_FEATURES, Reading, read, reading_rows
from .verdict import DECISION_FEATURES, Verdict, decision_row

if TYPE_CHECKING:
    from .rank import QueryScores

SECOND = 0.5  # a second post is quoted when its best window's logit is this close


@dataclass
class Decision:
    found: bool
    reason: str  # Spanish, shown to staff
    signals: dict = field(default_factory=dict)
    confidence: float = 0.0  # probability that the quote holds the answer (0-1)
    grade: str = "none"  # answer | near | none
    topic: float = 0.0  # probability that the posts answer the question at all


@dataclass
class Judgement:
    """Everything the decision read, kept so the answer quotes what was judged."""

    decision: Decision
    windows: Windows
    logits: np.ndarray  # per candidate window
    quote: int | None = None  # candidate position of the quoted window (trimmed)
    second: int | None = None  # another post's window, quoted too when nearly as good


def _trimmed(c: Windows, w: int) -> list[int]:
    """Candidate positions of ``w`` without its first unit and without its last one."""
    gen, wid = c.gen, int(c.ids[w])
    first, n = (int(v) for v in gen.windows[wid])
    if n < 2:
        return []
    found = []
    for unit in (first + 1, first):  # drop the first unit, drop the last one
        sub = int(gen.unit_window[unit]) + n - 2
        hits = np.flatnonzero(c.ids == sub)
        if len(hits):
            found.append(int(hits[0]))
    return found


def choose(c: Windows, logits: np.ndarray, trim: float, start: int | None = None) -> int:
    """The quote: the best window (or ``start``), trimmed while what is left scores within
    ``trim`` of it."""
    best = int(np.argmax(logits)) if start is None else start
    floor, current = logits[best] - trim, best
    while True:
        subs = _trimmed(c, current)
        if not subs:
            return current
        sub = max(subs, key=lambda i: logits[i])
        if logits[sub] < floor:
            return current
        current = sub


def second_quote(c: Windows, logits: np.ndarray, quote: int, trim: float) -> int | None:
    """Another post's best window when it scores nearly as well and says something else."""
    others = np.flatnonzero(c.rank != c.rank[quote])
    if not len(others):
        return None
    best = int(others[np.argmax(logits[others])])
    if logits[best] < logits[quote] - SECOND:
        return None
    chosen = choose(c, logits, trim, best)
    text = c.gen.window(int(c.ids[quote]))
    other = c.gen.window(int(c.ids[chosen]))
    return None if other in text or text in other else chosen  # posts repeat each other


def _reason(model: Linear, row: np.ndarray, grade: str, p: float, threshold: float) -> str:
    """Spanish, for staff: the grade, the confidence, and the two signals that weighed most."""
    z = (row - model.mean) / model.scale if model.mean is not None else row
    contributions = z * model.coef
    sign = 1 if grade == "answer" else -1
    order = np.argsort(-sign * contributions)
    said = [SIGNAL_WORDS[model.features[i]][0 if sign > 0 else 1] for i in order[:2]
            if sign * contributions[i] > 0 and model.features[i] in SIGNAL_WORDS]
    because = f": {' y '.join(said)}" if said else ""
    return f"{REASON_HEADS[grade]} (confianza {p:.2f}, umbral {threshold:.2f}){because}"


def grade_of(model: AnswerModel, p_answer: float, p_topic: float, candidates: int,
             threshold: float | None = None) -> str:
    if p_answer >= (model.threshold if threshold is None else threshold):
        return "answer"
    return "near" if p_topic >= model.near and candidates else "none"


def load_model(path: str | None = None, reader: bool = False) -> AnswerModel:
    """The answer model in ``path`` (or the shipped one; with ``reader``, the one that reads
    with the reader), checked against the signals this version computes."""
    model = AnswerModel.load(path, reader)
    model.fusion.check(POST_FEATURES)
    model.window.check(WINDOW_FEATURES)
    model.answer.check(DECISION_FEATURES)
    model.topic.check(DECISION_FEATURES)
    if model.reading is not None:
        model.reading.check(READING_FEATURES)
    return model


def window_logits(c: Windows, model: AnswerModel, reader: Reader | None
                  ) -> tuple[np.ndarray, Reading | None]:
    """Every candidate window's logit, and what the reader read (None without a reader)."""
    first = model.window.logit(window_rows(c, model.window.features))
    if model.reading is None:
        return first, None
    if reader is None:
        raise ReaderError(msg.READER_NEEDED)
    reading = read(c, first, reader, model.read_top)
    return model.reading.logit(reading_rows(c, reading, model.reading.features)), reading


def judge(gen: Generation, query: Query, top: list[int], scores: "QueryScores",
          model: AnswerModel, threshold: float | None = None,
          reader: Reader | None = None, check: AnswerModel | None = None) -> Judgement:
    """Judge a ranked question; ``scores`` is its ``rank.QueryScores``; ``reader`` is needed
    when the model has a reading stage, or with ``check``: a model that reads, judging
    again (with the last word) the questions that ``model`` grades "answer"."""
    c = Windows(gen, query, top, scores)
    if not top or not len(c):
        why = msg.NO_POST_MATCHES if not top else msg.NO_TEXT
        return Judgement(Decision(False, why), c, np.zeros(0))
    judged = _judged_by(c, top, scores, model, threshold, reader)
    if check is not None and judged.decision.grade == "answer":
        # The reader reads only what would be said as an answer: a confident wrong reply is
        # the worst, and reading every question costs about 4x the time (docs/retrieval.md).
        judged = _judged_by(c, top, scores, check, threshold, reader)
    return judged


def _judged_by(c: Windows, top: list[int], scores: "QueryScores", model: AnswerModel,
               threshold: float | None, reader: Reader | None) -> Judgement:
    """``model``'s judgement of the candidate windows ``c``."""
    logits, reading = window_logits(c, model, reader)
    quote = choose(c, logits, model.trim)
    verdict = Verdict(c, logits, quote, top, scores, reading)
    row = decision_row(verdict, model.answer.features)
    p = float(model.answer.probability(row[None, :])[0])
    topic_row = row if model.topic.features == model.answer.features \
        else decision_row(verdict, model.topic.features)
    p_topic = float(model.topic.probability(topic_row[None, :])[0])
    grade = grade_of(model, p, p_topic, len(c), threshold)
    signals = {"confianza": round(p, 3), "tema": round(p_topic, 3),
               "umbral": round(model.threshold if threshold is None else threshold, 3),
               **{name: round(float(x), 3) for name, x in zip(model.answer.features, row)}}
    if c.query.kind:
        signals["tipo"] = c.query.kind
    reason = _reason(model.answer, row, grade, p, signals["umbral"])
    second = second_quote(c, logits, quote, model.trim) if grade == "answer" else None
    return Judgement(Decision(grade == "answer", reason, signals, p, grade, p_topic), c,
                     logits, quote, second)
