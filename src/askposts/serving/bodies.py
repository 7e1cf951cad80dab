"""Request bodies that are too big or stop arriving are refused before any route reads them.

Pure ASGI, outside the routes: a body whose ``Content-Length`` is over the limit gets ``413``
without a byte of it read; a chunked one as soon as it passes the limit; a body that stops
arriving (a client sending one byte a second) gets ``408`` once ``wait`` seconds pass without
a chunk. Either way the route sees the client gone and its own reply is replaced by ours, so
nothing half-read reaches the model or the log. GitHub's webhook may send up to 25 MB.
"""
from __future__ import annotations

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..spanish import messages as msg

WEBHOOK = "/api/reindex"
WEBHOOK_MOST = 25_000_000  # GitHub's own cap on a webhook payload


class BodyLimit:
    def __init__(self, app: ASGIApp, most: int, wait: float) -> None:
        self.app, self.most, self.wait = app, most, wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        most = WEBHOOK_MOST if scope["path"] == WEBHOOK else self.most
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > most:
            return await _refusal(413, most)(scope, receive, send)
        refused: list[int] = []  # the status we answer with, once the body goes wrong
        started, read, whole = False, 0, False

        async def limited() -> Message:
            nonlocal read, whole
            if whole:  # after the body, a route waits here for the client to leave: no limit
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.wait)
            except asyncio.TimeoutError:
                refused.append(408)
                return {"type": "http.disconnect"}
            read += len(message.get("body", b""))
            if read > most:
                refused.append(413)
                return {"type": "http.disconnect"}
            whole = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused and not started:  # the route's reply to a body it could not read
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except Exception:
            if not refused:
                raise
        if refused and not started:
            await _refusal(refused[0], most)(scope, receive, send)


def _refusal(status: int, most: int) -> JSONResponse:
    text = msg.BODY_TOO_BIG.format(mb=max(1, most // 1_000_000)) if status == 413 \
        else msg.BODY_TOO_SLOW
    return JSONResponse({"error": text}, status, {"Connection": "close"})
