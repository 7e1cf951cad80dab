"""Backups of the question log and the staff logins, taken while people ask, restore whole."""
from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from conftest import SAMPLE, serving

from askposts import build_index
from askposts.cli import main
from askposts.serving.app import create_site

USERS = 20


def ids(path: Path, table: str) -> list:
    with sqlite3.connect(path) as con:
        column = "id" if table == "questions" else "client, at"
        return con.execute(f"SELECT {column} FROM {table} ORDER BY rowid").fetchall()


def ask_until(base: str, user: int, stop: threading.Event) -> int:
    n = 0
    # Each person from their own address: one address is one client's share (admission).
    own = httpx.HTTPTransport(local_address=f"127.0.1.{user + 1}")
    with httpx.Client(base_url=base, timeout=30, transport=own) as client:
        while not stop.is_set():
            q = f"¿Qué pasó con los datos abiertos en el taller {user}-{n}?"
            assert client.get("/api/ask", params={"q": q}).status_code in (200, 503)
            n += 1
    return n


def test_a_backup_taken_while_people_ask_restores_every_question_and_login(
        tmp_path, settings, fake_embedder, capsys):
    folder = tmp_path / "index"
    s = dataclasses.replace(settings, staff_token="t" * 32)
    index = build_index(SAMPLE, folder, s, embedder=fake_embedder)
    app = create_site(index, shared_limits=True)
    stop = threading.Event()
    with serving(app) as base:
        for _ in range(3):  # failed staff logins, counted in logins.sqlite
            r = httpx.get(base + "/api/questions", headers={"Authorization": "Bearer mal"})
            assert r.status_code in (401, 403)
        with ThreadPoolExecutor(USERS) as pool:
            asked = [pool.submit(ask_until, base, u, stop) for u in range(USERS)]
            time.sleep(1.5)
            assert main(["backup", str(tmp_path / "during"), "--index", str(folder)]) == 0
            time.sleep(0.5)
            stop.set()
            assert sum(f.result(30) for f in asked) > USERS
        app.state.question_log.flush(10)
        assert main(["backup", str(tmp_path / "after"), "--index", str(folder)]) == 0
    said = capsys.readouterr().out
    assert "Copia de seguridad en" in said and "questions.sqlite:" in said
    logged, logins = ids(folder / "questions.sqlite", "questions"), \
        ids(folder / "logins.sqlite", "failures")
    assert len(logins) == 3

    # Taken mid-flight: one consistent moment of the log (its first rows), with the logins.
    assert main(["restore", str(tmp_path / "during"), "--index", str(tmp_path / "a")]) == 0
    mid = ids(tmp_path / "a" / "questions.sqlite", "questions")
    assert 0 < len(mid) and mid == logged[:len(mid)]
    assert ids(tmp_path / "a" / "logins.sqlite", "failures") == logins
    # Taken once they were done: every logged question.
    assert main(["restore", str(tmp_path / "after"), "--index", str(tmp_path / "b")]) == 0
    assert ids(tmp_path / "b" / "questions.sqlite", "questions") == logged
    assert "Restaurado en" in capsys.readouterr().out


def test_restore_never_overwrites_without_force_and_refuses_a_damaged_copy(
        tmp_path, settings, fake_embedder, capsys):
    folder = tmp_path / "index"
    index = build_index(SAMPLE, folder, settings, embedder=fake_embedder)
    qlog = create_site(index).state.question_log
    qlog.record(index.ask("¿Qué es el presupuesto participativo?"), 0.01)
    qlog.flush(10)
    assert main(["backup", str(tmp_path / "copy"), "--index", str(folder)]) == 0
    assert main(["backup", str(tmp_path / "copy"), "--index", str(folder)]) == 2
    assert "ya tiene archivos" in capsys.readouterr().err
    before = (folder / "questions.sqlite").read_bytes()
    assert main(["restore", str(tmp_path / "copy"), "--index", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "reemplazaría" in err and "--force" in err
    assert (folder / "questions.sqlite").read_bytes() == before
    assert main(["restore", str(tmp_path / "copy"), "--index", str(folder), "--force"]) == 0
    assert len(ids(folder / "questions.sqlite", "questions")) == 1
    damaged = tmp_path / "copy" / "questions.sqlite"
    data = bytearray(damaged.read_bytes())
    data[-100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    assert main(["restore", str(tmp_path / "copy"), "--index", str(tmp_path / "new")]) == 2
    assert "dañada" in capsys.readouterr().err and not (tmp_path / "new").exists()
    assert main(["restore", str(tmp_path / "nada"), "--index", str(folder)]) == 2
    assert "no es una copia" in capsys.readouterr().err
