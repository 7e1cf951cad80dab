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
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..index import Index
from ..indexing.stores import CLIENTS_FILE, LOGINS_FILE
from ..questionlog.log import QuestionLog, open_log
from ..spanish import messages as msg
from .admission import Admission
from .auth import Limiter, check_password
from .bodies import BodyLimit
from .door import STAFF, Guard
from .embed import add_widget
from .gate import Gate
from .http import create_api
from .reindex import Reindexer
from .service import AskService

_PRIVACY_PAGE = Path(__file__).with_name("privacy.md")


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
    admission = Admission(s.client_rate, s.client_burst, s.client_in_flight,
                          _shared_file(index, CLIENTS_FILE) if shared_limits else None)
    service = AskService(index, Gate(s.slots, s.slot_wait, s.queue_size), qlog, admission)
    limiter = Limiter(path=_shared_file(index, LOGINS_FILE) if shared_limits else None)
    reindexer = Reindexer(Path(content), index.folder.path, s.site_url) if content else None
    app = create_api(service, limiter, reindexer)
    app.state.question_log, app.state.limiter, app.state.chat_ready = qlog, limiter, False
    app.add_middleware(Guard, limiter=limiter, gate=service.gate, admission=admission,
                       proxies=bool(s.trusted_proxies))
    app.add_middleware(BodyLimit, most=s.max_body_bytes, wait=s.body_wait)
    if s.allowed_origins:  # outside the guard: a 429 or 503 still carries CORS headers
        app.add_middleware(CORSMiddleware, allow_origins=list(s.allowed_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"],
                           expose_headers=["Retry-After"], max_age=600)
    if s.trusted_proxies:  # outermost: who the client is, before anyone counts it
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(s.trusted_proxies))
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

        app = gr.mount_gradio_app(app, build_staff_ui(service, app.state.insight), path=STAFF,
                                  auth=login, auth_message=msg.STAFF_LOGIN, css=CSS, **common)
    if mcp:
        from .mcp_tools import build_mcp_ui

        app = gr.mount_gradio_app(app, build_mcp_ui(service), path="/mcp",
                                  mcp_server=True, **common)
    app = gr.mount_gradio_app(app, build_ui(service), path="/", css=CSS, **common)
    app.state.chat_ready = True
    return app
