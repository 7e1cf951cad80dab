"""``/widget.js``: the chat on the organisation's own pages, from one script line.

The script (``widget.js``, plain JavaScript) is served with the Spanish text of the catalogue
filled in, an ``ETag`` and an hour of caching; a page may also load ``/widget.js?v=VERSION``
to get a new copy at once after an upgrade.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response

from ..settings import Settings
from ..spanish import messages as msg

SCRIPT = Path(__file__).with_name("widget.js")


def widget_script(settings: Settings) -> bytes:
    """The script, its text taken from the catalogue."""
    text = {**msg.WIDGET, "intro": msg.CHAT_EMPTY, "exampleList": msg.CHAT_EXAMPLES,
            "sources": msg.SOURCES, "related": msg.RELATED, "also": msg.ALSO_READ,
            "near": msg.NEAR_NOTE, "thanks": msg.FEEDBACK_THANKS,
            "tooLong": msg.QUESTION_TOO_LONG, "limit": settings.max_question_chars}
    source = SCRIPT.read_text(encoding="utf-8")
    return source.replace("__ASKPOSTS_TEXT__", json.dumps(text, ensure_ascii=False)).encode()


def add_widget(app: FastAPI, settings: Settings) -> None:
    """Serve ``/widget.js`` (built once; 304 when the browser has this very copy)."""
    body = widget_script(settings)
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600",
               "X-Content-Type-Options": "nosniff"}

    @app.get("/widget.js", include_in_schema=False)
    def widget(request: Request) -> Response:
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
