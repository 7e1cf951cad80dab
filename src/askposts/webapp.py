"""The whole site on one port: the public chat at ``/``, the staff area behind a login at
``/personal``, the JSON API at ``/api``, the privacy page, and (``--mcp``) the MCP server.

One admission gate is shared by all of them. The site takes no files and serves none.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from .api import create_api
from .auth import Limiter, check_password
from .index import Index
from .querylog import QuestionLog, open_log
from .serving import Gate

# Gradio's upload route and its file server are closed, so nobody can use the site to host
# files or fill the disk.
_CLOSED = ("/gradio_api/upload", "/upload", "/gradio_api/file=", "/file=")
_PRIVACY_PAGE = Path(__file__).with_name("privacy.md")
STAFF = "/personal"


def _guard(app: FastAPI, limiter: Limiter) -> None:
    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        if any(path.startswith(p) or path.startswith(STAFF + p) or path.startswith("/mcp" + p)
               for p in _CLOSED):
            return JSONResponse({"error": "Este sitio no recibe ni sirve archivos."},
                                status_code=403)
        login = request.method == "POST" and path.rstrip("/") == STAFF + "/login"
        client = request.client.host if request.client else "?"
        if login and (wait := limiter.blocked(client)):
            return JSONResponse({"detail": "Demasiados intentos fallidos; espere unos minutos."},
                                status_code=429, headers={"Retry-After": str(wait)})
        response = await call_next(request)
        if login and response.status_code >= 400:
            limiter.failed(client)
        return response


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
        return HTMLResponse('<!doctype html><html lang="es"><meta charset="utf-8"><p>El área '
                            "del personal está desactivada: falta <code>staff_password_hash"
                            "</code> en la configuración (<code>askposts staff-password</code>)."
                            "</p></html>", status_code=404)


def create_app(index: Index, mcp: bool = False, qlog: QuestionLog | None = None) -> FastAPI:
    """The site; ``qlog`` defaults to the log the settings ask for, beside the index."""
    import gradio as gr

    from .staff import build_staff_ui
    from .web import CSS, build_ui

    s = index.settings
    gate = Gate(s.slots, s.slot_wait, s.queue_size)
    qlog = qlog if qlog is not None else open_log(s, index.folder.path)
    limiter = Limiter()
    app = create_api(index, gate, qlog, limiter)
    app.state.question_log = qlog
    _guard(app, limiter)
    _privacy(app, index)
    common = {"allowed_paths": [], "footer_links": [], "show_error": False, "max_file_size": 1}
    if s.staff_password_hash:
        def login(user: str, password: str) -> bool:
            return user == s.staff_user and check_password(password, s.staff_password_hash)

        app = gr.mount_gradio_app(app, build_staff_ui(index, gate, qlog), path=STAFF,
                                  auth=login, auth_message="Área del personal: ingrese su "
                                  "usuario y contraseña.", css=CSS, **common)
    else:
        _staff_off(app)
    if mcp:
        from .mcptools import build_mcp_ui

        app = gr.mount_gradio_app(app, build_mcp_ui(index, gate), path="/mcp",
                                  mcp_server=True, **common)
    return gr.mount_gradio_app(app, build_ui(index, gate, qlog), path="/", css=CSS, **common)
