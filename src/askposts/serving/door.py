"""The site's front door (pure ASGI: no per-request task, unlike ``@app.middleware``).

Before anything is parsed or routed, a question (``/api/ask``, ``/api/search``, the CSV export)
and an opinion (``/api/feedback``) pass two checks, each answered with one prepared response:
- the client's own share (``admission``): over its rate or its questions in flight, ``429``
  with ``Retry-After``. A client that comes back before it was told is kept waiting for that
  time first, then refused again and told to wait twice as long (up to 10 s): a script that
  resends at once over 200 connections soon costs 20 refusals a second, not thousands, and
  gets nothing by hurrying;
- the gate (``gate``): every slot taken and the queue too long, ``503`` with ``Retry-After``.
  The client is told, and coming back sooner counts as early too.
A chat question (Gradio's queue) is counted by the chat itself, whose refusal the page can
show; the door only keeps a client that comes back early waiting until its time, then lets
it in. The door also refuses Gradio's file routes and rate-limits failed staff logins per client.
"""
from __future__ import annotations

import asyncio
import logging
import math

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..spanish import messages as msg
from .admission import Admission, Verdict
from .auth import Limiter
from .gate import Gate

log = logging.getLogger(__name__)
QUESTION_ROUTES = frozenset({"/api/ask", "/api/search", "/api/export.csv"})
ADMITTED_ROUTES = QUESTION_ROUTES | {"/api/feedback"}
CHAT_JOIN = "/gradio_api/queue/join"  # a chat question (the chat counts it: chat.py)
# Gradio's upload route and its file server are closed, so nobody can use the site to host
# files or fill the disk.
_CLOSED = ("/gradio_api/upload", "/upload", "/gradio_api/file=", "/file=")
STAFF = "/personal"
HELD_MOST = 4096  # connections kept waiting at once; past that, early clients are refused now
HOLD_LONGEST = 10.0  # seconds an early client is kept waiting at most


def client_of(scope: Scope) -> str:
    """The visitor's address, as the proxy headers left it (``trusted_proxies``)."""
    return scope["client"][0] if scope.get("client") else "?"


class Guard:
    """The front door: per-client admission, the gate, closed routes, the login limiter."""

    def __init__(self, app: ASGIApp, limiter: Limiter, gate: Gate,
                 admission: Admission, proxies: bool = False) -> None:
        self.app, self.limiter, self.gate, self.admission = app, limiter, gate, admission
        # With no trusted proxy, a forwarded header means a proxy nobody told us about: every
        # visitor behind it is one client. Said once in the log.
        self._unsaid = not proxies
        self.gate_retry = gate.retry_after
        self._busy = JSONResponse({"error": msg.BUSY}, 503,
                                  {"Retry-After": str(self.gate_retry)})
        self._refusals: dict[int, JSONResponse] = {}
        self.held = 0  # connections kept waiting now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path in ADMITTED_ROUTES:
            return await self._admitted(scope, receive, send, path)
        if any(path.startswith(prefix + p) for prefix in ("", STAFF, "/mcp") for p in _CLOSED):
            return await JSONResponse({"error": msg.NO_FILES}, 403)(scope, receive, send)
        if scope["method"] == "POST" and path.rstrip("/") == STAFF + "/login":
            return await self._login(scope, receive, send)
        if path.endswith(CHAT_JOIN):
            await self._hold(self.admission.early(client_of(scope)))
        return await self.app(scope, receive, send)

    async def _admitted(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        if self._unsaid and any(k == b"x-forwarded-for" for k, _ in scope["headers"]):
            self._unsaid = False
            log.warning(msg.PROXY_NOT_TRUSTED)
        client = client_of(scope)
        verdict = self.admission.admit(client)
        if not verdict.admitted:
            return await (await self._refusal_for(client, verdict))(scope, receive, send)
        try:
            if path in QUESTION_ROUTES and self.gate.refuse_now():
                self.admission.told(client, self.gate_retry)
                return await self._busy(scope, receive, send)
            await self.app(scope, receive, self._watch(client, send))
        finally:
            self.admission.done(verdict.lease)

    async def _refusal_for(self, client: str, verdict: Verdict) -> JSONResponse:
        """The 429 for ``verdict``. An early client first waits out what it was told (unless
        too many already wait), then is told twice that, up to ``HOLD_LONGEST``: a script
        that keeps hurrying is answered less and less often; a person never hurries twice."""
        if not verdict.early or self.held >= HELD_MOST:
            return self._refusal(verdict.retry_after)
        await self._hold(verdict.wait)
        longer = min(HOLD_LONGEST, max(1.0, 2 * verdict.wait))
        self.admission.told(client, longer)
        return self._refusal(math.ceil(longer))

    async def _hold(self, seconds: float) -> None:
        """Keep an early client waiting (a person in the chat who clicks again too soon is
        answered a moment later, rather than refused in a way the chat cannot show)."""
        if seconds <= 0 or self.held >= HELD_MOST:
            return
        self.held += 1
        try:
            await asyncio.sleep(min(seconds, HOLD_LONGEST))
        finally:
            self.held -= 1

    def _refusal(self, seconds: int) -> JSONResponse:
        """One prepared 429 per number of seconds."""
        if seconds not in self._refusals:
            self._refusals[seconds] = JSONResponse(
                {"error": msg.TOO_MANY_QUESTIONS.format(seconds=seconds)}, 429,
                {"Retry-After": str(seconds)})
        return self._refusals[seconds]

    def _watch(self, client: str, send: Send) -> Send:
        """``send`` that notes a 503 (no slot in time): the client was told to wait."""
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 503:
                self.admission.told(client, self.gate_retry)
            await send(message)
        return sending

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = client_of(scope)
        if wait := self.limiter.blocked(client):
            return await JSONResponse({"detail": msg.TOO_MANY_FAILURES}, 429,
                                      {"retry-after": str(wait)})(scope, receive, send)

        async def watch(message):
            if message["type"] == "http.response.start" and message["status"] >= 400:
                self.limiter.failed(client)
            await send(message)

        await self.app(scope, receive, watch)
