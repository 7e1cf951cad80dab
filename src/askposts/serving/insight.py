"""What staff learn from the log, for the staff area and the staff API alike: the summary of a
period (with its largest groups of unanswered questions) and corrections checked against the
published posts.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import AskpostsError
from ..filters import FilterError, parse_bound
from ..questionlog.corrections import (
    Correction,
    CorrectionError,
    Corrections,
    passage_stands,
)
from ..questionlog import wordings
from ..questionlog.gaps import Gap, largest_gaps
from ..questionlog.summary import Summary, summarize
from ..spanish import messages as msg
from .service import AskService

PERIODS = {"30": 30, "90": 90, "365": 365}  # the summary's menu: last N days
GAPS_FRESH = 300.0  # seconds before a period's groups are refreshed (~2 s for 100,000 rows)
GROUP_NOW = 20_000  # questions in a period under which its groups are always current
TOP_GAPS = 10


class LogOff(AskpostsError):
    """The question log is off: nothing to summarise or correct."""

    def __init__(self) -> None:
        super().__init__(msg.LOG_OFF)


@dataclass(frozen=True)
class Overview:
    """A period's figures and its largest groups of unanswered questions."""

    summary: Summary
    gaps: list[Gap]

    def to_dict(self) -> dict:
        return {**self.summary.to_dict(), "gaps": [g.to_dict() for g in self.gaps]}


def period(since: object = None, until: object = None, days: int = 30,
           today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The days from ``since`` to ``until`` (``AAAA[-MM[-DD]]``; by default the last
    ``days`` days up to today); ``FilterError`` in Spanish when they cannot be read."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    end = parse_bound(until, upper=True) or today
    start = parse_bound(since, upper=False) or end - dt.timedelta(days=days - 1)
    if start > end:
        raise FilterError(msg.DATES_REVERSED)
    return start, end


class Insight:
    """Summaries and corrections over ``service``'s log and index."""

    def __init__(self, service: AskService,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.service, self._clock = service, clock
        # (period, generation) -> (when grouped, the period's questions then, the groups)
        self._gaps: dict[tuple, tuple[float, int, list[Gap]]] = {}
        self._lock, self._refreshing = threading.Lock(), threading.Lock()

    def _log(self):
        if self.service.qlog is None:
            raise LogOff()
        return self.service.qlog

    def overview(self, since: dt.date, until: dt.date) -> Overview:
        """The period's figures, counted now, and its largest groups of unanswered questions
        (see ``_largest_gaps``). The figures are counted on a second thread meanwhile: both
        mostly wait on the database (a period grouped the first time: 1.2 -> 0.8 s)."""
        qlog = self._log()
        qlog.flush(1.0)  # what was asked a moment ago counts
        with ThreadPoolExecutor(1, thread_name_prefix="staff-summary") as pool:
            counted = pool.submit(summarize, qlog, since, until)
            gaps = self._largest_gaps(since, until, lambda: counted.result().questions)
            return Overview(counted.result(), gaps)

    def _largest_gaps(self, since: dt.date, until: dt.date,
                      questions: Callable[[], int]) -> list[Gap]:
        """The period's groups. Grouped now when never grouped, or when the period's count
        (``questions()``) changed and it is small (under ``GROUP_NOW`` questions: under a
        second). Otherwise the last groups at once, regrouped in the background when the
        count changed or they are ``GAPS_FRESH`` old: staff do not wait for the clustering
        of a big log, and no two regroupings run together."""
        key = (since, until, self.service.index.generation.name)
        with self._lock:
            kept = self._gaps.get(key)
        if kept is None:
            return self._group(key, questions)
        count = questions()
        if kept[1] != count and count < GROUP_NOW:
            return self._group(key, questions)
        if (kept[1] != count or self._clock() - kept[0] >= GAPS_FRESH) \
                and self._refreshing.acquire(False):
            def refresh() -> None:
                try:
                    self._group(key, lambda: count)
                finally:
                    self._refreshing.release()
            threading.Thread(target=refresh, name="staff-gaps", daemon=True).start()
        return kept[2]

    def _group(self, key: tuple, questions: Callable[[], int]) -> list[Gap]:
        since, until, _ = key
        qlog = self._log()
        gaps = largest_gaps(wordings.asked(qlog, since, until), self.service.index,
                            top=TOP_GAPS, comments=wordings.comments(qlog, since, until))
        with self._lock:
            self._gaps = {**{k: v for k, v in self._gaps.items() if k[2] == key[2]},
                          key: (self._clock(), questions(), gaps)}
        return gaps

    def prepare(self) -> None:
        """Group the default period's unanswered questions ahead of the first staff visit
        (a serving process calls it in the background once it starts)."""
        if self.service.qlog is not None:
            with contextlib.suppress(Exception):  # a staff nicety must never stop a start
                since, until = period()
                self.overview(since, until)

    # -- corrections ---------------------------------------------------------------------
    def corrections(self) -> Corrections:
        return Corrections(self._log())

    def correct(self, question: str, answerable: bool, path: str = "", evidence: str = "",
                should_answer: bool | None = None, question_id: str = "",
                note: str = "") -> Correction:
        """Store a correction whose passage is, word for word, in a published post."""
        if answerable and path and (evidence or "").strip():
            post = next((p for p in self.service.index.generation.posts if p.path == path),
                        None)
            if post is None:
                raise CorrectionError(msg.CORRECTION_UNKNOWN_POST.format(path=path))
            if not passage_stands(evidence, post.text):
                raise CorrectionError(msg.CORRECTION_NOT_IN_POST.format(title=post.title))
        return self.corrections().add(question, answerable, path, evidence, should_answer,
                                      question_id, note)
