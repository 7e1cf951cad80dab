"""Several worker processes, one chat: the Gradio apps (the chat, the staff area, MCP) keep
each session's state and queue in the process that opened it, so with ``--workers N`` a
question sent to one process and awaited on another was never answered (measured: 7 of 12
chat questions failed, and a ``gradio_client`` waited for ever).

The first worker to take the lock in the serving folder *owns* the Gradio apps: it serves them
on the shared port and on a private Unix socket. The other workers answer the stateless routes
themselves (``/api/`` and ``/widget.js``: every question of the HTTP API and of the widget) and
pass everything else to the owner over that socket, streaming its replies (Gradio's answers
arrive as server-sent events). If the owner dies, uvicorn starts another worker, which takes
the lock; until then the chat's pages say it is starting. ``/api/health`` is the owner's when
it answers, so ``chat_ready`` means what it says on every worker.
"""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp

log = logging.getLogger(__name__)

LOCAL = ("/api/", "/widget.js")  # answered by any worker: no session state
OWNERS = ("/api/health",)  # ... except these, which describe the chat
# Hop-by-hop headers (RFC 9110 7.6.1) and the lengths each hop computes for itself.
HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer",
       b"transfer-encoding", b"upgrade", b"content-length"}
FORWARDED = {b"x-forwarded-for", b"x-forwarded-proto"}


def claim(lock: Path) -> IO | None:
    """The lock file, held open, when this process is the first to lock it; else None. The
    lock goes with the process, so a worker started after the owner died takes it."""
    handle = open(lock, "a+")  # noqa: SIM115 - held for the life of the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


class Affinity:
    """ASGI app of one worker of several: ``app`` itself when it owns the Gradio apps
    (``lock`` from ``claim``; then also served on ``folder/chat.sock``), else ``app`` for the
    stateless routes and the owner for the rest. ``unavailable``: the page sent while the
    owner cannot be reached."""

    def __init__(self, app: "ASGIApp", folder: Path, unavailable: str, lock: IO | None
                 ) -> None:
        self.app, self.socket, self.unavailable = app, folder / "chat.sock", unavailable
        self._lock = lock  # held while the process lives: see ``claim``
        self.owner = lock is not None
        self._server = None
        self._task: asyncio.Task | None = None
        self._client = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            return await self.app(scope, self._watch_lifespan(receive), self._on_start(send))
        path = scope.get("path", "")
        if self.owner or scope["type"] != "http" \
                or (path.startswith(LOCAL) and not path.startswith(OWNERS)):
            return await self.app(scope, receive, send)
        await self._forward(scope, receive, send)

    # -- the owner's private socket ------------------------------------------------------
    def _on_start(self, send):
        async def sending(message) -> None:
            if message["type"] == "lifespan.startup.complete" and self.owner:
                self._serve_privately()
            await send(message)
        return sending

    def _watch_lifespan(self, receive):
        async def receiving():
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                await self._close()
            return message
        return receiving

    def _serve_privately(self) -> None:
        import uvicorn

        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()  # a dead owner's
        # Only this project's workers reach the socket (a folder only we may open), so the
        # client address they forward is trusted: failed logins still count per visitor.
        config = uvicorn.Config(self.app, uds=str(self.socket), lifespan="off",
                                log_level="warning", access_log=False,
                                forwarded_allow_ips="*", timeout_graceful_shutdown=5)
        self._server = uvicorn.Server(config)
        # _serve: serve() would take over the signal handlers of the worker's own server.
        self._task = asyncio.create_task(self._server._serve())
        log.info("worker %d serves the chat", os.getpid())

    async def _close(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 10)
        if self._client is not None:
            await self._client.aclose()

    # -- everyone else: forward to the owner ---------------------------------------------
    def _http(self):
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                transport=httpx.AsyncHTTPTransport(uds=str(self.socket)),
                timeout=httpx.Timeout(None, connect=5.0),  # event streams stay open
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=32))
        return self._client

    async def _forward(self, scope, receive, send) -> None:
        import httpx

        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        client = self._http()
        request = client.build_request(scope["method"], _url(scope), headers=_headers(scope),
                                       content=bytes(body))
        try:
            response = await client.send(request, stream=True)
        except httpx.TransportError:  # the owner is starting (or being replaced)
            if scope["path"].startswith(OWNERS):
                return await self.app(scope, _replay(body), send)
            return await self._unavailable(scope, receive, send)
        try:
            await _stream(response, receive, send)
        finally:
            await response.aclose()

    async def _unavailable(self, scope, receive, send) -> None:
        from starlette.responses import HTMLResponse

        await HTMLResponse(self.unavailable, 503, {"retry-after": "2"})(scope, receive, send)


def _url(scope) -> str:
    path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    return "http://askposts" + path + (f"?{query}" if query else "")


def _headers(scope) -> list[tuple[bytes, bytes]]:
    """The visitor's headers (Host included: Gradio builds its links from it), with who the
    visitor is and how they came, for the owner's limits and links."""
    headers = [(k, v) for k, v in scope["headers"] if k not in HOP and k not in FORWARDED]
    if scope.get("client"):
        headers.append((b"x-forwarded-for", scope["client"][0].encode("latin-1")))
    headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode("latin-1")))
    return headers


async def _stream(response, receive, send) -> None:
    """The owner's reply, chunk by chunk, until it ends or the visitor leaves (an event
    stream may never end on its own)."""
    async def pump() -> None:
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": [(k, v) for k, v in response.headers.raw
                                if k.lower() not in HOP]})
        async for chunk in response.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def gone() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = [asyncio.create_task(pump()), asyncio.create_task(gone())]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # an error of the pump is the request's error
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _replay(body: bytes):
    """A ``receive`` that gives the request's body again (it was read for forwarding)."""
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # nothing more: wait like a live connection
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return receive
