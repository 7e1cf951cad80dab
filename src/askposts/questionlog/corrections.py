"""Staff corrections: for a question people asked, the passage that answers it, or that the
site does not answer it (and whether it should).

Kept in the log's database (``corrections``: SQLite beside the index, or the PostgreSQL
schema), private like the log, and kept when the questions they came from expire: the question
is stored redacted, as the log holds it. Exported as JSONL lines with the fields of the site's
labelled questions (``train.jsonl``: question, relevant, answer, evidence, type, style), so
``askposts fit --corrections`` learns from them like from the hand-written ones.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass

from ..errors import AskpostsError
from ..spanish import messages as msg
from .log import QuestionLog
from .redact import redact

MAX_NOTE = 300

CORRECTION_ID = "correccion-"  # an exported correction's id starts so (fit tells them apart)


def passage_stands(passage: str, text: str) -> bool:
    """Whether ``passage`` is, word for word (spacing aside), in a post's ``text``."""
    passage = " ".join((passage or "").split())
    return bool(passage) and passage in " ".join(text.split())


class CorrectionError(AskpostsError, ValueError):
    """A correction that cannot be stored (message in Spanish)."""


@dataclass(frozen=True)
class Correction:
    """One correction. ``answerable``: ``path`` and ``evidence`` (a verbatim passage of that
    post) answer ``question``; otherwise the site does not, and ``should_answer`` says
    whether it should."""

    id: str
    created: str  # UTC, "YYYY-MM-DDTHH:MM"
    question: str
    answerable: bool
    path: str = ""
    evidence: str = ""
    should_answer: bool | None = None
    question_id: str = ""
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def labelled(self) -> dict:
        """The line of ``train.jsonl`` this correction makes."""
        return {"question": self.question, "relevant": [self.path] if self.answerable else [],
                "answer": self.evidence, "evidence": self.evidence, "type": "correction",
                "style": "staff", "answerable": self.answerable,
                "should_answer": self.should_answer, "id": CORRECTION_ID + self.id,
                "created": self.created, "note": self.note}


_COLUMNS = "id, created, question_id, question, path, evidence, answerable, should_answer, note"


class Corrections:
    """The corrections of one question log's database (written at once: a staff action)."""

    def __init__(self, qlog: QuestionLog) -> None:
        self.db, self.clock = qlog.db, qlog.clock

    def add(self, question: str, answerable: bool, path: str = "", evidence: str = "",
            should_answer: bool | None = None, question_id: str = "",
            note: str = "") -> Correction:
        """Store one correction (``CorrectionError`` when it says too little)."""
        question, note = redact((question or "").strip()), redact((note or "").strip())
        if not question:
            raise CorrectionError(msg.CORRECTION_NO_QUESTION)
        if answerable and not (path and evidence and evidence.strip()):
            raise CorrectionError(msg.CORRECTION_NO_PASSAGE)
        if len(note) > MAX_NOTE:
            raise CorrectionError(msg.CORRECTION_LONG_NOTE.format(limit=MAX_NOTE))
        when = dt.datetime.fromtimestamp(self.clock(), dt.timezone.utc)
        made = Correction(uuid.uuid4().hex, when.strftime("%Y-%m-%dT%H:%M"), question,
                          bool(answerable), path if answerable else "",
                          evidence if answerable else "",
                          None if answerable else should_answer, question_id or "", note)
        row = (made.id, made.created, made.question_id, made.question, made.path,
               made.evidence, int(made.answerable),
               None if made.should_answer is None else int(made.should_answer), made.note)
        with contextlib.closing(self.db.connect()) as con, self.db.transaction(con):
            con.execute(self.db.sql(f"INSERT INTO {{c}} ({_COLUMNS}) VALUES "
                                    "(?,?,?,?,?,?,?,?,?)"), row)
        return made

    def all(self) -> list[Correction]:
        """Every correction, oldest first."""
        if not self.db.exists():
            return []
        with contextlib.closing(self.db.connect()) as con:
            found = con.execute(self.db.sql(
                f"SELECT {_COLUMNS} FROM {{c}} ORDER BY {self.db.order}")).fetchall()
        return [Correction(id=r[0], created=r[1], question_id=r[2] or "", question=r[3],
                           path=r[4] or "", evidence=r[5] or "", answerable=bool(r[6]),
                           should_answer=None if r[7] is None else bool(r[7]),
                           note=r[8] or "") for r in found]

    def jsonl(self) -> str:
        """Every correction as a ``train.jsonl`` line."""
        return "".join(json.dumps(c.labelled(), ensure_ascii=False) + "\n" for c in self.all())
