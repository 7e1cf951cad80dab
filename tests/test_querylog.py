"""The question log: redacted before writing, never in the way of an answer, crash-safe."""
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from askposts.questionlog.log import FeedbackError, QuestionLog
from askposts.records import Answer, Hit

PII = ["ana.lopez@gmail.com", "5512-3456", "2456 78901 0101", "4111 1111 1111 1111"]


def answer(question, grade="none", confidence=0.1):
    hit = Hit("blogs/a.md", "A", "https://x.org/a/", "2024-01-01", "blogs", 1.0, "t", "", 0, 1)
    return Answer(question, grade == "answer", "texto", [hit] if grade == "answer" else [],
                  reason="poca coincidencia", confidence=confidence, grade=grade)


def test_nothing_unredacted_reaches_the_file(tmp_path):
    qlog = QuestionLog(tmp_path / "q.sqlite")
    qid = qlog.record(answer(f"mi correo es {PII[0]} y mi cel {PII[1]}, DPI {PII[2]}"), 0.05,
                      vector=np.ones(4, np.float32) / 2)
    qlog.feedback(qid, False, f"llamen al {PII[1]} o paguen con {PII[3]}")
    qlog.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert not any(p.encode() in raw for p in PII)
    (row,) = QuestionLog(tmp_path / "q.sqlite").rows()
    assert row.question == "mi correo es [correo] y mi cel [teléfono], DPI [dpi]"
    assert row.useful is False and "[teléfono]" in row.comment and "[tarjeta]" in row.comment
    assert row.latency_ms == 50 and len(row.hour) == 16 and row.hour.endswith(":00")
    np.testing.assert_allclose(row.vector, np.ones(4) / 2)


def test_a_broken_log_never_breaks_the_answer(tmp_path, caplog):
    (tmp_path / "q.sqlite").mkdir()  # a folder where the file should be: every write fails
    qlog = QuestionLog(tmp_path / "q.sqlite")
    started = time.perf_counter()
    assert qlog.record(answer("¿qué es la hackatón?"), 0.01)  # returns at once, with an id
    assert time.perf_counter() - started < 0.05
    qlog.flush()
    assert "No se pudo escribir" in caplog.text


def test_feedback_is_checked(tmp_path):
    qlog = QuestionLog(tmp_path / "q.sqlite")
    with pytest.raises(FeedbackError, match="300"):
        qlog.feedback("abc", True, "x" * 301)
    with pytest.raises(FeedbackError):
        qlog.feedback("", True)


def test_rows_filters_and_purge(tmp_path):
    now = [dt.datetime(2026, 1, 10, 15, 42, tzinfo=dt.timezone.utc).timestamp()]
    qlog = QuestionLog(tmp_path / "q.sqlite", days=30, clock=lambda: now[0])
    qlog.record(answer("vieja sin respuesta"), 0.1)
    now[0] += 40 * 86400
    qlog.record(answer("respondida", "answer", 0.9), 0.1)
    qlog.record(answer("dudosa", "answer", 0.3), 0.1)
    qlog.record(answer("cercana", "near", 0.2), 0.1)
    qlog.flush()
    assert [r.question for r in qlog.rows(unanswered=True)] == \
        ["vieja sin respuesta", "dudosa", "cercana"]
    assert [r.question for r in qlog.rows(since=dt.date(2026, 2, 1))] == \
        ["respondida", "dudosa", "cercana"]
    assert qlog.rows()[0].hour == "2026-01-10T15:00"
    assert qlog.purge() == 1  # older than 30 days
    assert qlog.purge(dt.date(2030, 1, 1)) == 3 and qlog.rows() == []


WRITER = """
import sys, time
from askposts.questionlog.log import QuestionLog
from askposts.records import Answer
qlog = QuestionLog(sys.argv[1])
for i in range(int(sys.argv[2])):
    qlog.record(Answer(f"pregunta {sys.argv[3]} {i}", False, "t"), 0.01)
    if i % 50 == 0:
        qlog.flush()
        print(i, flush=True)
qlog.close()
"""


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "q.sqlite"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), "300", name],
                              stdout=subprocess.DEVNULL) for name in "ab"]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    questions = [r.question for r in QuestionLog(path).rows()]
    assert len(questions) == 600 and len(set(questions)) == 600


def test_a_crash_mid_write_keeps_the_log_readable(tmp_path):
    path = tmp_path / "q.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "100000", "c"],
                            stdout=subprocess.PIPE, text=True)
    for _ in range(3):  # let it write a few hundred rows, then kill it mid-stream
        proc.stdout.readline()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = QuestionLog(path).rows()
    assert len(rows) >= 100 and all(r.question.startswith("pregunta c ") for r in rows)
