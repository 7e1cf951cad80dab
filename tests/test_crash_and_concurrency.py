"""A build killed at any moment leaves a usable index; readers never see a mixed generation."""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import SAMPLE

from askposts import open_index
from askposts.indexing.builder import Builder

STAGES = ["loaded", "embedding", "writing", "published"]


def start_build(content, index, stage):
    env = dict(os.environ, ASKPOSTS_PAUSE_AT=stage)
    return subprocess.Popen(
        [sys.executable, "-m", "askposts.cli", "index", str(content), "--index", str(index)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


@pytest.mark.parametrize("stage", STAGES)
def test_sigkill_at_any_stage_keeps_previous_index(stage, tmp_path, settings, embedder):
    content, index = tmp_path / "content", tmp_path / "index"
    shutil.copytree(SAMPLE, content)
    builder = Builder(settings, embedder)
    builder.build(content, index)
    before = open_index(index, settings, embedder)
    expected = [h.path for h in before.search("hackatón compras públicas")]

    (content / "blogs" / "nuevo.md").write_text("---\ntitle: Nuevo\n---\nUna hackatón nueva.")
    proc = start_build(content, index, stage)
    try:
        line = proc.stdout.readline()
        assert line.strip() == f"PAUSED {stage}"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    after = open_index(index, settings, embedder)  # opens, and answers
    paths = [h.path for h in after.search("hackatón compras públicas")]
    if stage == "published":
        assert "blogs/nuevo.md" in {p.path for p in after.posts}
    else:
        assert paths == expected
    _, report = builder.build(content, index)  # the next build completes
    assert report.published or stage == "published"
    assert "blogs/nuevo.md" in {p.path for p in open_index(index, settings, embedder).posts}
    assert not list(index.glob("*.tmp"))


def test_readers_switch_generations_without_errors(tmp_path, settings, embedder):
    content, index = tmp_path / "content", tmp_path / "index"
    (content / "blogs").mkdir(parents=True)

    def write_version(v):
        for i in range(3):
            (content / "blogs" / f"p{i}.md").write_text(
                f"---\ntitle: Versión {v} número {i}\n---\nPublicación de la versión {v}.")

    write_version(0)
    builder = Builder(settings, embedder)
    builder.build(content, index)
    reader = open_index(index, settings, embedder)
    errors, seen = [], set()
    stop = threading.Event()

    def search_loop():
        while not stop.is_set():
            try:
                hits = reader.search("versión", k=3)
                versions = {h.title.split()[1] for h in hits}
                if len(versions) != 1:
                    errors.append(f"mixed generations: {versions}")
                seen.update(versions)
            except Exception as exc:  # noqa: BLE001 - any failure is the bug we look for
                errors.append(repr(exc))

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        for v in range(1, 5):
            write_version(v)
            subprocess.run([sys.executable, "-m", "askposts.cli", "index", str(content),
                            "--index", str(index), "--wait", "30"], check=True,
                           capture_output=True, timeout=300)
            time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == []
    assert "4" in seen and len(seen) >= 2  # the reader followed the new generations


@pytest.mark.slow  # real model or ../shared
def test_watch_reindexes_when_a_file_changes(tmp_path):
    content, index = tmp_path / "content", tmp_path / "index"
    (content / "blogs").mkdir(parents=True)
    (content / "blogs" / "a.md").write_text("---\ntitle: Primera\n---\nTexto inicial.")
    proc = subprocess.Popen([sys.executable, "-m", "askposts.cli", "watch", str(content),
                             "--index", str(index)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "Vigilando" in line:
                break
        first = (index / "CURRENT").read_text()
        time.sleep(2)  # the watcher starts right after it prints
        deadline, n = time.time() + 120, 0
        while time.time() < deadline and (index / "CURRENT").read_text() == first:
            if n % 20 == 0:  # write (again) until the watcher has seen it
                (content / "blogs" / "b.md").write_text(f"---\ntitle: Segunda\n---\nTexto {n}.")
            n += 1
            time.sleep(0.5)
        assert (index / "CURRENT").read_text() != first
    finally:
        proc.terminate()
        proc.wait(timeout=30)
