"""The served app: built in two stages, and as a factory for ``askposts serve --workers N``.

Gradio's imports take most of a start (6 s of 11 on a slow 2-core machine, measured), so
the JSON API answers as soon as the model is loaded, and the chat is mounted when Gradio
is ready; until then the chat's pages say, in Spanish, that it is starting.

Each worker process opens the index folder named by ``ASKPOSTS_SERVE_INDEX`` with the settings
of the environment and config file, loads the model once, and follows new generations.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..spanish import messages as msg

if TYPE_CHECKING:
    from fastapi import FastAPI

    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from .affinity import Affinity

    from ..index import Index

log = logging.getLogger(__name__)
STARTING = ('<!doctype html><html lang="es"><meta charset="utf-8">'
            '<meta http-equiv="refresh" content="2"><title>Arrancando</title>'
            '<body style="max-width:42rem;margin:2rem auto;font-family:sans-serif">'
            f'<p>{msg.CHAT_STARTING}</p>')
BROKEN = ('<!doctype html><html lang="es"><meta charset="utf-8"><title>Error</title>'
          f'<p>{msg.CHAT_BROKEN}</p>')


class Staged:
    """ASGI app that serves ``/api/`` from ``site`` at once and everything once
    ``complete(site)`` (run in a thread at start-up) has mounted the rest on it.

    The completed app's lifespan (Gradio's queue) is entered after it is built, inside this
    app's own lifespan, and left at shutdown."""

    def __init__(self, site: "FastAPI", complete: Callable[["FastAPI"], "FastAPI"]) -> None:
        self.site, self._complete = site, complete
        self.app: "FastAPI | None" = None  # the complete app, once ready
        self.failed = False
        self._stack = contextlib.AsyncExitStack()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if self.app is not None:
            return await self.app(scope, receive, send)
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            return await self.site(scope, receive, send)
        if scope["type"] != "http":
            return await send({"type": "websocket.close", "code": 1013})  # try again later
        from starlette.responses import (
            HTMLResponse,  # loaded already: the site imported it
        )

        await HTMLResponse(BROKEN if self.failed else STARTING, 500 if self.failed else 503,
                           {"retry-after": "2"})(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        await receive()  # lifespan.startup
        task = asyncio.create_task(self._finish())
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await self._stack.aclose()
        await send({"type": "lifespan.shutdown.complete"})

    async def _finish(self) -> None:
        try:
            app = await asyncio.to_thread(self._complete, self.site)
            await self._stack.enter_async_context(app.router.lifespan_context(app))
        except Exception:  # the API keeps answering; the pages say what happened
            log.exception("the chat could not be mounted")
            self.failed = True
            return
        self.app = app


def app_for(index: "Index", mcp: bool = False, workers: bool = False,
            content: str | None = None, chat: bool = True) -> Staged:
    """The served app for ``index``, with the model loaded and one question answered first,
    so the first visitor does not wait for them (a missing model stops the start, clearly);
    the chat follows a few seconds later (``Staged``). ``workers``: one of several processes
    (their limits are shared). ``chat=False``: the API only (a worker that passes the chat to
    the one that owns it, ``affinity``)."""
    from ..embedding.base import share_threads
    from .app import add_chat, create_site

    index.ask("hola")
    share_threads(index.settings.threads, index.settings.slots)
    site = create_site(index, shared_limits=workers, content=content)
    if index.settings.staff_password_hash or index.settings.staff_token:
        import threading  # the summary's groups, ready before the staff's first visit

        threading.Thread(target=site.state.insight.prepare, name="staff-summary",
                         daemon=True).start()
    return Staged(site, (lambda s: add_chat(s, index, mcp=mcp)) if chat else (lambda s: s))


def create() -> "Staged | Affinity | ProxyHeadersMiddleware":
    """One worker's app (uvicorn factory). With ``ASKPOSTS_SERVE_SHARED`` (the serving
    folder of ``askposts serve --workers N``), the first worker to start owns the chat and
    the others pass it to that one (``affinity``)."""
    from pathlib import Path

    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from ..index import open_index
    from ..settings import Settings
    from .affinity import Affinity, claim

    index = open_index(os.environ.get("ASKPOSTS_SERVE_INDEX", "index"), Settings.load())
    shared = os.environ.get("ASKPOSTS_SERVE_SHARED")
    lock = claim(Path(shared) / "chat.lock") if shared else None
    app = app_for(index, mcp=os.environ.get("ASKPOSTS_SERVE_MCP") == "1", workers=True,
                  content=os.environ.get("ASKPOSTS_SERVE_CONTENT") or None,
                  chat=lock is not None or not shared)
    if not shared:
        return app
    proxies = list(index.settings.trusted_proxies)
    # The visitor, known before a request is passed to the chat's owner, which believes the
    # address its fellow workers forward (the app's own proxy check then finds it untrusted).
    routed = Affinity(app, Path(shared), STARTING, lock)
    return ProxyHeadersMiddleware(routed, trusted_hosts=proxies) if proxies else routed
