"""The whole site on one port: the public chat at ``/``, the staff area behind a login at
``/personal``, the JSON API at ``/api``, the privacy page, and (``--mcp``) the MCP server.

One ``AskService`` (one admission gate, one question log) serves all of them. The site takes
no files and serves none.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..index import Index
from ..indexing.stores import LOGINS_FILE
from ..questionlog.log import QuestionLog, open_log
from ..spanish import messages as msg
from .auth import Limiter, check_password
from .bodies import BodyLimit
from .embed import add_widget
from .gate import Gate
from .http import create_api
from .reindex import Reindexer
from .service import AskService

# Gradio's upload route and its file server are closed, so nobody can use the site to host
# files or fill the disk.
_CLOSED = ("/gradio_api/upload", "/upload", "/gradio_api/file=", "/file=")
_PRIVACY_PAGE = Path(__file__).with_name("privacy.md")
STAFF = "/personal"


QUESTION_ROUTES = frozenset({"/api/ask", "/api/search", "/api/export.csv"})


class Guard:
    """Pure ASGI (no per-request task, unlike ``@app.middleware``), the site's front door:
    refuses questions at once when the gate is full (one prepared 503: no routing, no
    parsing, no log line, so a flood cannot starve the questions being answered), refuses
    file routes, and rate-limits failed staff logins per client address."""

    def __init__(self, app: ASGIApp, limiter: Limiter, gate: Gate) -> None:
        self.app, self.limiter, self.gate = app, limiter, gate
        self._busy = JSONResponse({"error": msg.BUSY}, 503,
                                  {"Retry-After": str(max(1, round(gate.wait * 2)))})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path in QUESTION_ROUTES and self.gate.refuse_now():
            return await self._busy(scope, receive, send)
        if any(path.startswith(prefix + p) for prefix in ("", STAFF, "/mcp") for p in _CLOSED):
            return await JSONResponse({"error": msg.NO_FILES}, 403)(scope, receive, send)
        if not (scope["method"] == "POST" and path.rstrip("/") == STAFF + "/login"):
            return await self.app(scope, receive, send)
        client = scope["client"][0] if scope.get("client") else "?"
        if wait := self.limiter.blocked(client):
            return await JSONResponse({"detail": msg.TOO_MANY_FAILURES}, 429,
                                      {"retry-after": str(wait)})(scope, receive, send)

        async def watch(message):
            if message["type"] == "http.response.start" and message["status"] >= 400:
                self.limiter.failed(client)
            await send(message)

        await self.app(scope, receive, watch)


def _shared_file(index: Index, name: str) -> Path:
    index.folder.path.mkdir(parents=True, exist_ok=True)
    return index.folder.path / name


def _privacy(app: FastAPI, index: Index) -> None:
    @app.get("/privacidad", response_class=HTMLResponse)
    def privacy() -> str:
        from markdown_it import MarkdownIt

        text = _PRIVACY_PAGE.read_text(encoding="utf-8").replace(
            "{days}", str(index.settings.question_log_days))
        return ('<!doctype html><html lang="es"><meta charset="utf-8"><title>Privacidad</title>'
                '<body style="max-width:42rem;margin:2rem auto;font-family:sans-serif">'
                + MarkdownIt("commonmark", {"html": False}).render(text) + "</body></html>")


def _staff_off(app: FastAPI) -> None:
    @app.get(STAFF, response_class=HTMLResponse, status_code=404)
    @app.get(STAFF + "/{rest:path}", response_class=HTMLResponse, status_code=404)
    def off(rest: str = "") -> HTMLResponse:
        return HTMLResponse('<!doctype html><html lang="es"><meta charset="utf-8"><p>'
                            f"{msg.STAFF_OFF}</p></html>", status_code=404)


def create_app(index: Index, mcp: bool = False, qlog: QuestionLog | None = None) -> FastAPI:
    """The site; ``qlog`` defaults to the log the settings ask for, beside the index."""
    return add_chat(create_site(index, qlog), index, mcp)


def create_site(index: Index, qlog: QuestionLog | None = None,
                shared_limits: bool = False, content: str | Path | None = None) -> FastAPI:
    """Everything but the Gradio pages: the JSON API, the guard, the privacy page (fast to
    build: no Gradio import). ``add_chat`` completes it. ``shared_limits``: failed logins are
    counted in a file beside the index that every worker reads (``--workers``). ``content``:
    the folder the CMS publishes to (the webhook pulls and reindexes it)."""
    s = index.settings
    qlog = qlog if qlog is not None else open_log(s, index.folder.path)
    service = AskService(index, Gate(s.slots, s.slot_wait, s.queue_size), qlog)
    limiter = Limiter(path=_shared_file(index, LOGINS_FILE) if shared_limits else None)
    reindexer = Reindexer(Path(content), index.folder.path, s.site_url) if content else None
    app = create_api(service, limiter, reindexer)
    app.state.question_log, app.state.limiter, app.state.chat_ready = qlog, limiter, False
    app.add_middleware(Guard, limiter=limiter, gate=service.gate)
    app.add_middleware(BodyLimit, most=s.max_body_bytes, wait=s.body_wait)
    if s.allowed_origins:  # outermost: a 503 from the guard still carries CORS headers
        app.add_middleware(CORSMiddleware, allow_origins=list(s.allowed_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"],
                           max_age=600)
    _privacy(app, index)
    add_widget(app, s)
    if not s.staff_password_hash:
        _staff_off(app)
    return app


def add_chat(app: FastAPI, index: Index, mcp: bool = False) -> FastAPI:
    """Mount the public chat, the staff area and (``mcp``) the MCP server on ``app``, all
    drawing from its gate. This is the slow part of a start: Gradio's imports."""
    import gradio as gr

    from .chat import CSS, build_ui
    from .staff import build_staff_ui

    s, service = index.settings, app.state.service
    common = {"allowed_paths": [], "footer_links": [], "show_error": False, "max_file_size": 1}
    if s.staff_password_hash:
        def login(user: str, password: str) -> bool:
            return user == s.staff_user and check_password(password, s.staff_password_hash)

        app = gr.mount_gradio_app(app, build_staff_ui(service), path=STAFF,
                                  auth=login, auth_message=msg.STAFF_LOGIN, css=CSS, **common)
    if mcp:
        from .mcp_tools import build_mcp_ui

        app = gr.mount_gradio_app(app, build_mcp_ui(service), path="/mcp",
                                  mcp_server=True, **common)
    app = gr.mount_gradio_app(app, build_ui(service), path="/", css=CSS, **common)
    app.state.chat_ready = True
    return app
