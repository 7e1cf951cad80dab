"""HTTP JSON API (FastAPI) and the app that serves it next to the Gradio UI.

    GET /api/search?q=...&k=10&collection=blogs&programme=...&since=2023&until=2024
    GET /api/ask?q=...&collection=...&since=...&until=...&context=<earlier question>
    GET /api/export.csv?q=...   (same parameters as search; the staff view links to it)
    GET /api/health
    GET /api/questions?since=2026-01-01&unanswered=1&format=csv   (staff: bearer token)
Bad parameters answer 400 with ``{"error": "..."}`` in Spanish; when every slot is taken
past a short wait, 503 with ``Retry-After`` (see ``gate``).
"""
from __future__ import annotations

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..answering.query import UNREADABLE
from ..errors import AskpostsError
from ..filters import Filters, parse_bound
from ..indexing.recorded import recorded
from ..questionlog.gaps import content_gaps
from ..spanish import messages as msg
from .auth import Limiter
from .gate import Busy
from .reindex import Reindexer, signature_status
from .render import gaps_csv, hits_csv
from .service import AskService
from .staff_api import add_staff_routes, staff_denied

MAX_K = 50


def _gone() -> Response:
    return Response(status_code=499)  # the client left while its question waited


class BadRequest(AskpostsError):
    """A request parameter that cannot be understood."""


def _k(value: str | None, default: int = 10) -> int:
    if value in (None, ""):
        return default
    try:
        k = int(value)
    except ValueError:
        raise BadRequest(msg.BAD_API_K.format(most=MAX_K)) from None
    if not 1 <= k <= MAX_K:
        raise BadRequest(msg.BAD_API_K.format(most=MAX_K))
    return k


def _question(q: str | None) -> str:
    if q is None or not q.strip():
        raise BadRequest(msg.MISSING_Q)
    return q


MAX_CONTEXT = 20  # earlier questions a request may send (the last 3 are read)


def _context(items: list[str], chars: int) -> list[str]:
    if len(items) > MAX_CONTEXT or any(len(i) > chars or UNREADABLE.search(i) for i in items):
        raise BadRequest(msg.BAD_CONTEXT.format(most=MAX_CONTEXT, chars=chars))
    return items


def create_api(service: AskService, limiter: Limiter | None = None,
               reindexer: Reindexer | None = None) -> FastAPI:
    """The JSON API over ``service``; its question log records /api/ask and serves
    /api/questions; ``reindexer`` answers the CMS's webhook."""
    index, gate, qlog = service.index, service.gate, service.qlog
    s = index.settings
    limiter = limiter or Limiter()
    app = FastAPI(title="askposts", description=msg.API_DESCRIPTION,
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    app.state.gate, app.state.service = gate, service

    @app.exception_handler(Busy)
    async def busy(_request: Request, exc: Busy):
        return JSONResponse({"error": str(exc)}, status_code=503,
                            headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(AskpostsError)
    async def bad_request(_request: Request, exc: Exception):
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        text = msg.WRONG_METHOD.format(method=request.method) if exc.status_code == 405 \
            else msg.API_NOT_FOUND if exc.status_code == 404 else str(exc.detail)
        return JSONResponse({"error": text}, exc.status_code, getattr(exc, "headers", None))

    @app.get("/api/search")
    async def search(request: Request, q: str | None = None, k: str | None = None,
                     collection: list[str] = Query(default=[]),
                     programme: list[str] = Query(default=[]),
                     since: str | None = None, until: str | None = None):
        question, n = _question(q), _k(k)
        chosen = Filters.parse(collection, programme, since, until)
        found = await service.search_async(
            question, n, chosen, request.is_disconnected,
            then=lambda hits: JSONResponse({"query": q, "hits": [h.to_dict() for h in hits]}))
        return _gone() if found is None else found

    @app.get("/api/ask")
    async def ask(request: Request, q: str | None = None,
                  collection: list[str] = Query(default=[]),
                  programme: list[str] = Query(default=[]),
                  since: str | None = None, until: str | None = None,
                  context: list[str] = Query(default=[]), source: str | None = None):
        # context: the conversation's earlier questions (repeatable, oldest first); source:
        # "widget" from the site's own pages (the staff summary counts front ends).
        question = _question(q)
        context = _context(context, s.max_question_chars)
        chosen = Filters.parse(collection, programme, since, until)
        # Serialised in the worker thread, off the event loop.
        front = "widget" if source == "widget" else "api"
        reply = await service.ask_async(question, chosen, context, front, request.is_disconnected,
                                        then=lambda r: JSONResponse({**r.answer.to_dict(),
                                                                     "id": r.log_id}))
        return _gone() if reply is None else reply

    @app.post("/api/feedback")
    async def feedback(request: Request):
        # {"id": the answer's id from /api/ask, "useful": bool, "comment": optional text}
        try:
            body = await request.json()
            qid, useful = str(body["id"]), body["useful"]
            comment = str(body.get("comment") or "")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BadRequest(msg.BAD_FEEDBACK) from None
        if not isinstance(useful, bool):
            raise BadRequest(msg.BAD_FEEDBACK)
        await run_in_threadpool(service.feedback, qid, useful, comment)
        return {"ok": True}

    @app.post("/api/reindex", status_code=202)
    async def reindex(request: Request):
        if reindexer is None or not s.reindex_secret:
            return JSONResponse({"error": msg.REINDEX_OFF}, status_code=404)
        status = signature_status(await request.body(),
                                  request.headers.get("x-hub-signature-256"), s.reindex_secret)
        if status != 200:
            return JSONResponse({"error": msg.SIGNATURE_MISSING if status == 401
                                 else msg.SIGNATURE_WRONG}, status_code=status)
        started = reindexer.request()
        return {"status": "accepted" if started else "queued already",
                "reindex": reindexer.status.to_dict()}

    @app.get("/api/export.csv", response_class=PlainTextResponse)
    async def export(request: Request, q: str | None = None, k: str | None = None,
                     collection: list[str] = Query(default=[]),
                     programme: list[str] = Query(default=[]),
                     since: str | None = None, until: str | None = None):
        question, n = _question(q), _k(k, 20)
        chosen = Filters.parse(collection, programme, since, until)
        hits = await service.search_async(question, n, chosen, request.is_disconnected)
        if hits is None:
            return _gone()
        return PlainTextResponse(
            hits_csv(hits), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="iniciativas.csv"'})

    @app.get("/api/health")
    def health(request: Request):
        gen = index.generation
        return {"status": "ok", "generation": gen.name, "posts": len(gen.posts),
                "passages": len(gen.passages), "windows": len(gen.windows),
                "model": gen.model_id,
                "precision": index.embedder.precision if index.has_embedder else None,
                "index_precision": gen.manifest["model"].get("precision"),
                "in_flight": gate.in_flight, "slots": gate.slots, "refused": gate.refused,
                "too_many": service.admission.refused,
                "chat_ready": getattr(request.app.state, "chat_ready", False),
                "built": gen.manifest.get("created"),
                "build": recorded(gen.manifest),
                "build_changed": gen.manifest.get("build_changed") or {},
                "reindex": reindexer.status.to_dict() if reindexer else None}

    @app.get("/api/questions")
    async def questions(request: Request, since: str | None = None,
                        unanswered: str | None = None, format: str | None = None):
        denied = staff_denied(request, s.staff_token, limiter)
        if denied is not None:
            return denied
        if qlog is None:
            return JSONResponse({"error": msg.LOG_OFF}, status_code=404)
        day = parse_bound(since, upper=False) if since else None
        only = (unanswered or "").lower() in ("1", "true", "si", "sí", "yes")
        await run_in_threadpool(qlog.flush, 1.0)  # include what was asked a moment ago
        rows = await run_in_threadpool(qlog.rows, day, only)
        gaps = await run_in_threadpool(content_gaps, rows, index)
        if (format or "").lower() == "csv":
            return PlainTextResponse(
                gaps_csv(gaps), media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="preguntas.csv"'})
        return {"questions": len(rows), "groups": [g.to_dict() for g in gaps]}

    add_staff_routes(app, service, limiter)

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
                   include_in_schema=False)
    async def unknown(request: Request, rest: str):
        # Registered last: an API address that no route above takes (else the chat's pages,
        # mounted at /, would answer it in English); a known one asked with another method.
        known = {getattr(r, "path", "") for r in app.routes} - {"/api/{rest:path}"}
        raise StarletteHTTPException(405 if request.url.path in known else 404)

    return app
