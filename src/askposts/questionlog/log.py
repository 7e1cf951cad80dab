"""The private question log: what people asked, redacted, and whether the posts answered.

One SQLite file beside the index (``questions.sqlite``, WAL: a crash mid-write loses at most
the rows being written, and several serving processes write at once), or a ``questions`` table
in the index's schema with the PostgreSQL backend (see ``database``). What is kept: the hour,
the question after ``redact``, the decision (grade, confidence, reason), the cited paths, the
latency, the filters, the question's vector (for the content-gap report) and the feedback.
Never an IP, a cookie, a user agent or a session id. Rows older than ``question_log_days`` are
deleted. Writing happens on a background thread: a slow or broken disk never delays or breaks
an answer (the failure is logged and the answer goes out).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import AskpostsError
from ..filters import Filters
from ..records import Answer
from ..spanish import messages as msg
from .database import PostgresDB, SqliteDB
from .redact import redact

if TYPE_CHECKING:
    from ..settings import Settings

log = logging.getLogger(__name__)
MAX_COMMENT = 300
LOW_CONFIDENCE = 0.5  # an answer given with less than this counts as a gap in the report
# The content-gap report's questions: not answered, answered unsurely, or marked not useful.
UNANSWERED = "(grade != 'answer' OR confidence < ? OR useful = 0)"
SOURCES = ("chat", "widget", "api", "mcp")  # the front ends a question can come from


class FeedbackError(AskpostsError, ValueError):
    """Feedback that cannot be stored (message in Spanish)."""


@dataclass
class LoggedQuestion:
    """One row of the log, as staff see it."""

    id: str
    hour: str  # UTC, "YYYY-MM-DDTHH:00"
    question: str  # already redacted
    grade: str  # answer / near / none
    confidence: float
    reason: str
    cited: list[str] = field(default_factory=list)
    latency_ms: int = 0
    filters: dict = field(default_factory=dict)
    useful: bool | None = None
    comment: str = ""
    vector: np.ndarray | None = field(default=None, repr=False)
    source: str = ""  # the front end: chat, widget, api, mcp ("" before it was recorded)


def period_bounds(since: dt.date, until: dt.date) -> tuple[str, str]:
    """The hours from ``since`` to ``until`` (both days included), as ``hour >= a AND
    hour < b`` reads them."""
    return since.isoformat(), (until + dt.timedelta(days=1)).isoformat()


def _hour(now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:00", time.gmtime(now))


class QuestionLog:
    """Append-only (plus feedback) log, written by one background thread.

    ``target``: a file path (SQLite) or a ``database.PostgresDB``.
    """

    def __init__(self, target: str | Path | SqliteDB | PostgresDB, days: int = 180,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = target if isinstance(target, (SqliteDB, PostgresDB)) else SqliteDB(target)
        self.days, self.clock = days, clock
        self._queue: queue.Queue = queue.Queue(maxsize=10_000)
        self._writer = threading.Thread(target=self._run, name="question-log", daemon=True)
        self._writer.start()

    # -- writing (background thread) -----------------------------------------------------------
    def _run(self) -> None:
        con, stop = None, False
        while not stop:
            jobs = [self._queue.get()]
            while len(jobs) < 500:  # what queued meanwhile goes in the same transaction
                try:
                    jobs.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = None in jobs
            try:
                con = self._write(con, [job for job in jobs if job is not None])
            finally:
                for _ in jobs:
                    self._queue.task_done()

    def _write(self, con: object, jobs: list[Callable[[object], None]], attempts: int = 3):
        """Run ``jobs`` in one transaction; returns the connection to keep (None: reconnect).
        A failed batch is rolled back and tried again on a new connection (another process
        may hold the database a while); only then is it dropped, with a warning."""
        for attempt in range(1, attempts + 1):
            try:
                con = con or self.db.connect()
                with self.db.transaction(con):  # one transaction for the whole batch
                    for job in jobs:
                        job(con)
                return con
            except Exception:  # noqa: BLE001 - the log must never take the app down
                con = None
                if attempt == attempts:
                    log.warning("No se pudo escribir en el registro de preguntas",
                                exc_info=True)
                else:
                    time.sleep(0.05 * attempt)
        return con

    def _submit(self, job: Callable[[object], None]) -> None:
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            log.warning("Registro de preguntas saturado: se descarta una escritura")

    def record(self, answer: Answer, latency: float, filters: Filters | None = None,
               vector: np.ndarray | None = None, source: str = "") -> str:
        """Queue one answered question; returns its id (for feedback). Never raises."""
        qid = uuid.uuid4().hex
        try:
            row = (qid, _hour(self.clock()), redact(answer.question), answer.grade,
                   float(answer.confidence), redact(answer.reason),
                   json.dumps([h.path for h in answer.citations], ensure_ascii=False),
                   int(latency * 1000), json.dumps((filters or Filters()).to_dict()),
                   None if vector is None else np.asarray(vector, np.float32).tobytes(),
                   source if source in SOURCES else "")
        except Exception:  # noqa: BLE001
            log.warning("Pregunta no registrada", exc_info=True)
            return qid
        self._submit(lambda con: con.execute(self.db.sql(
            "INSERT INTO {t} (id, hour, question, grade, confidence, reason, cited, "
            "latency_ms, filters, vector, source) VALUES (?,?,?,?,?,?,?,?,?,?,?)"), row))
        return qid

    def feedback(self, qid: str, useful: bool, comment: str = "") -> None:
        """Mark an answer useful or not, with an optional comment (redacted, <= 300 chars)."""
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise FeedbackError(msg.FEEDBACK_TOO_LONG.format(length=len(comment),
                                                             limit=MAX_COMMENT))
        if not qid:
            raise FeedbackError(msg.FEEDBACK_NO_ANSWER)
        values = (1 if useful else 0, redact(comment), qid)
        self._submit(lambda con: con.execute(self.db.sql(
            "UPDATE {t} SET useful = ?, comment = ? WHERE id = ?"), values))

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued write is on disk (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)

    def close(self) -> None:
        """Write what is queued, then stop the writer."""
        self._queue.put(None)
        self._writer.join(timeout=10)

    # -- reading and deleting (caller's thread) ------------------------------------------------
    def rows(self, since: dt.date | None = None, unanswered: bool = False) -> list[LoggedQuestion]:
        """Rows, oldest first; ``unanswered``: not answered, answered with low confidence, or
        marked not useful (the content-gap report's questions)."""
        if not self.db.exists():
            return []
        sql, args = f"SELECT {_READ} FROM {{t}} WHERE hour >= ?", [
            since.isoformat() if since else ""]
        if unanswered:
            sql += " AND " + UNANSWERED
            args.append(LOW_CONFIDENCE)
        with contextlib.closing(self.db.connect()) as con:
            found = con.execute(self.db.sql(sql + f" ORDER BY hour, {self.db.order}"),
                                args).fetchall()
        return [_row(*r) for r in found]  # a year of a public chat: 100,000 rows in ~1 s

    def latest(self, count: int) -> list[LoggedQuestion]:
        """The ``count`` questions logged last, newest first (the staff's «Revisar»)."""
        if not self.db.exists():
            return []
        with contextlib.closing(self.db.connect()) as con:
            found = con.execute(self.db.sql(
                f"SELECT {_READ} FROM {{t}} ORDER BY {self.db.order} DESC LIMIT ?"),
                (count,)).fetchall()
        return [_row(*r) for r in found]

    def purge(self, before: dt.date | None = None) -> int:
        """Delete rows older than ``before`` (default: the retention period); how many went."""
        if before is None:
            before = dt.datetime.fromtimestamp(self.clock(), dt.timezone.utc).date() \
                - dt.timedelta(days=self.days)
        self.flush()
        with contextlib.closing(self.db.connect()) as con:
            return con.execute(self.db.sql("DELETE FROM {t} WHERE hour < ?"),
                               (before.isoformat(),)).rowcount


_READ = ("id, hour, question, grade, confidence, reason, cited, latency_ms, filters, vector, "
         "useful, comment, source")


def _row(qid: str, hour: str, question: str, grade: str, confidence: float | None,
         reason: str | None, cited: str | None, latency_ms: int | None, filters: str | None,
         vector: bytes | None, useful: int | None, comment: str | None,
         source: str | None) -> LoggedQuestion:
    return LoggedQuestion(
        id=qid, hour=hour, question=question, grade=grade, confidence=confidence or 0.0,
        reason=reason or "", cited=json.loads(cited) if cited and cited != "[]" else [],
        latency_ms=latency_ms or 0,
        filters=json.loads(filters) if filters and filters != "{}" else {},
        useful=None if useful is None else bool(useful), comment=comment or "",
        vector=np.frombuffer(bytes(vector), dtype=np.float32) if vector else None,
        source=source or "")


def log_target(settings: "Settings", index_folder: Path) -> "SqliteDB | PostgresDB":
    """The question log's database for the index in ``index_folder`` (see ``stores``)."""
    from .database import open_question_db

    return open_question_db(settings, index_folder)


def open_log(settings: "Settings", index_folder: Path) -> QuestionLog | None:
    """The log the settings ask for (``None`` when ``question_log`` is off); old rows go."""
    if not settings.question_log:
        return None
    qlog = QuestionLog(log_target(settings, index_folder), settings.question_log_days)
    try:
        qlog.purge()
    except Exception:  # noqa: BLE001 - a log that cannot be purged must not stop the app
        log.warning("No se pudo depurar el registro de preguntas", exc_info=True)
    return qlog
