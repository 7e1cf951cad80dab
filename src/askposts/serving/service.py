"""One service behind every front end: admit, answer, log.

The HTTP API, the Gradio chat, the MCP tools and the staff search are thin adapters over
``AskService``: a question asked through any of them waits for the same admission gate, is
answered by the same ``Index`` (with its caches and follow-ups on one
generation) and is written to the same question log, so the staff's report sees them all.

Threads (Gradio's handlers) call ``ask`` / ``search``; async code (the HTTP API) calls
``ask_async`` / ``search_async``, which wait for a slot without blocking the event loop and run
the work in a worker thread.
"""
from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from ..filters import Filters
from ..index import Index
from ..questionlog.log import QuestionLog
from ..records import Answer, Hit
from .admission import Admission
from .gate import Gate

log = logging.getLogger(__name__)
T = TypeVar("T")
FOLLOW_UP_CONTEXT = 3  # earlier questions of a conversation that a follow-up is read with


@dataclass(frozen=True)
class Reply:
    """An answer and the id its question was logged under ("" when the log is off)."""

    answer: Answer
    log_id: str = ""


class AskService:
    """Admission, answering and the question log, the same for every front end."""

    def __init__(self, index: Index, gate: Gate | None = None,
                 qlog: QuestionLog | None = None, admission: Admission | None = None) -> None:
        s = index.settings
        self.index = index
        self.gate = gate or Gate(s.slots, s.slot_wait, s.queue_size)
        self.admission = admission or Admission(s.client_rate, s.client_burst,
                                                s.client_in_flight)
        self.qlog = qlog

    # -- threads --------------------------------------------------------------------------
    def ask(self, question: str, filters: Filters | None = None,
            history: Sequence[str] = (), source: str = "", client: str = "") -> Reply:
        """Answer once a slot is free (``Busy`` if none comes in time), and log it.
        ``client``: the visitor's address, whose share it counts against (``TooMany``); the
        HTTP API counts at its front door instead (``door``)."""
        with self._share(client), self.gate.slot():
            return self._answer(question, filters, history, source)

    def _share(self, client: str) -> contextlib.AbstractContextManager:
        return self.admission.question(client) if client else contextlib.nullcontext()

    def search(self, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """The best passages once a slot is free (searches are not logged)."""
        with self.gate.slot():
            return self.index.search(question, k=k, filters=filters)

    # -- async ----------------------------------------------------------------------------
    async def ask_async(self, question: str, filters: Filters | None = None,
                        history: Sequence[str] = (), source: str = "",
                        gone: Callable[[], Awaitable[bool]] | None = None,
                        then: Callable[[Reply], T] = lambda r: r) -> T | None:
        """``ask`` from async code; ``then`` runs in the worker thread too (serialising a
        reply there keeps the event loop free). ``None`` when ``gone()`` says the client left
        while it waited."""
        return await self._bounded(
            lambda: then(self._answer(question, filters, history, source)), gone)

    async def search_async(self, question: str, k: int = 10, filters: Filters | None = None,
                           gone: Callable[[], Awaitable[bool]] | None = None,
                           then: Callable[[list[Hit]], T] = lambda h: h) -> T | None:
        """``search`` from async code (see ``ask_async``)."""
        return await self._bounded(
            lambda: then(self.index.search(question, k=k, filters=filters)), gone)

    async def _bounded(self, work: Callable[[], T],
                       gone: Callable[[], Awaitable[bool]] | None) -> T | None:
        await self.gate.acquire()
        try:
            if gone is not None and await gone():
                return None  # nobody is waiting for this answer any more
            return await run_in_threadpool(work)
        finally:
            self.gate.release()

    # -- the log --------------------------------------------------------------------------
    def _answer(self, question: str, filters: Filters | None, history: Sequence[str],
                source: str) -> Reply:
        started = time.perf_counter()
        answer = self.index.ask(question, filters, history=list(history)[-FOLLOW_UP_CONTEXT:])
        if self.qlog is None:
            return Reply(answer)
        log_id = self.qlog.record(answer, time.perf_counter() - started, filters,
                                  self.index.cached_vector(question.strip()), source)
        log.debug("answered (%s): %s", source or "?", answer.grade)
        return Reply(answer, log_id)

    def feedback(self, log_id: str, useful: bool, comment: str = "") -> None:
        """Whether an answer helped (``FeedbackError`` for an unknown id or a long comment)."""
        if self.qlog is not None:
            self.qlog.feedback(log_id, useful, comment)
