"""Publishing in the CMS updates the index: a signed webhook starts an incremental build.

``POST /api/reindex`` carries GitHub's ``X-Hub-Signature-256`` (HMAC-SHA256 of the body with
``reindex_secret``). It is answered at once (202); then, in the background, the content folder
is pulled (fast-forward only) when it is a git checkout, and ``askposts index`` updates the index
in a child process, so the serving process neither loads the indexing model nor falls over if
the build does. One build at a time: a call during a build queues exactly one more. The
published generation keeps answering throughout, and every serving process picks up the new
one by itself (``Index`` follows ``CURRENT``). A failed pull or build leaves it in place and
says why in the log and in ``/api/health``.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
Run = Callable[[Sequence[str], Path | None], tuple[int, str]]


def signature_status(body: bytes, header: str | None, secret: str) -> int:
    """HTTP status for a webhook's signature: 200 good, 401 missing, 403 wrong."""
    if not header or not header.startswith("sha256="):
        return 401
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return 200 if hmac.compare_digest(header[7:].strip(), expected) else 403


def run_command(args: Sequence[str], cwd: Path | None = None) -> tuple[int, str]:
    """Exit status and the last of the output of a child process (10 minutes at most)."""
    try:
        done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True,
                              timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 1, str(exc)
    return done.returncode, (done.stderr or done.stdout)[-2000:]


@dataclass
class ReindexState:
    """What ``/api/health`` says about the builds started by the webhook."""

    state: str = "idle"  # idle, running
    queued: bool = False
    runs: int = 0
    last_started: str = ""
    last_finished: str = ""
    last_error: str = ""

    def to_dict(self) -> dict:
        """JSON-ready."""
        return dict(self.__dict__)


class Reindexer:
    """Pull and rebuild in the background, one build at a time, at most one queued."""

    def __init__(self, content: Path, index_dir: Path, site_url: str = "",
                 run: Run = run_command) -> None:
        self.content, self.index_dir, self.site_url = Path(content), Path(index_dir), site_url
        self._run = run
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.status = ReindexState()

    def request(self) -> bool:
        """Start a build now, or queue one after the running build; False if one is queued
        already (the queued build will see this change too)."""
        with self._lock:
            if self.status.state == "running":
                if self.status.queued:
                    return False
                self.status.queued = True
                return True
            self.status.state = "running"
            self._thread = threading.Thread(target=self._loop, name="reindex", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float = 60.0) -> None:
        """Until the running (and queued) builds are done (tests)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        while True:
            self._once()
            with self._lock:
                if not self.status.queued:
                    self.status.state = "idle"
                    return
                self.status.queued = False

    def _once(self) -> None:
        self.status.runs += 1
        self.status.last_started = _now()
        error = ""
        if (self.content / ".git").exists():
            code, out = self._run(["git", "pull", "--ff-only"], self.content)
            if code:
                error = f"git pull: {out.strip()}"
        if not error:
            command = [sys.executable, "-m", "askposts.cli", "index", str(self.content),
                       "--index", str(self.index_dir)]
            if self.site_url:
                command += ["--site-url", self.site_url]
            code, out = self._run(command, None)
            if code not in (0, 1):  # 1: built, with skipped files (they are reported)
                error = f"askposts index: {out.strip()}"
        if error:
            log.error("Reindexación fallida; el índice publicado sigue respondiendo: %s", error)
        self.status.last_error = error
        self.status.last_finished = _now()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
