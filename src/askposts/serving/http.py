"""HTTP JSON API (FastAPI) and the app that serves it next to the Gradio UI.

    GET /api/search?q=...&k=10&collection=blogs&programme=...&since=2023&until=2024
    GET /api/ask?q=...&collection=...&since=...&until=...&context=<earlier question>
    GET /api/export.csv?q=...   (same parameters as search; the staff view links to it)
    GET /api/health
    GET /api/questions?since=2026-01-01&unanswered=1&format=csv   (staff: bearer token)
Bad parameters answer 400 with ``{"error": "..."}`` in Spanish; when every slot is taken
past a short wait, 503 with ``Retry-After`` (see ``serving``).
"""
from __future__ import annotations

import time

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ..errors import AskpostsError
from ..filters import Filters, parse_bound
from ..index import Index
from ..questionlog.gaps import content_gaps, gaps_csv
from ..questionlog.log import QuestionLog
from .auth import Limiter, check_token
from .gate import Busy, Gate
from .render import hits_csv

MAX_K = 50


class BadRequest(AskpostsError):
    """A request parameter that cannot be understood."""


def _k(value: str | None, default: int = 10) -> int:
    if value in (None, ""):
        return default
    try:
        k = int(value)
    except ValueError:
        raise BadRequest(f"k debe ser un número entero entre 1 y {MAX_K}.") from None
    if not 1 <= k <= MAX_K:
        raise BadRequest(f"k debe ser un número entero entre 1 y {MAX_K}.")
    return k


def _question(q: str | None) -> str:
    if q is None or not q.strip():
        raise BadRequest("Falta el parámetro q (la pregunta).")
    return q


def create_api(index: Index, gate: Gate | None = None, qlog: QuestionLog | None = None,
               limiter: Limiter | None = None) -> FastAPI:
    """The JSON API over ``index``; ``qlog`` records /api/ask and serves /api/questions."""
    s = index.settings
    limiter = limiter or Limiter()
    gate = gate or Gate(s.slots, s.slot_wait, s.queue_size)
    app = FastAPI(title="askposts", description="Búsqueda y respuestas sobre publicaciones.",
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    app.state.gate = gate

    @app.exception_handler(Busy)
    async def busy(_request: Request, exc: Busy):
        return JSONResponse({"error": str(exc)}, status_code=503,
                            headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(AskpostsError)
    async def bad_request(_request: Request, exc: Exception):
        return JSONResponse({"error": str(exc)}, status_code=400)

    async def bounded(request: Request, work, question: str):
        """Run ``work`` in a worker thread once a slot is free; drop it if the client left.
        While it waits, ``question`` may be encoded with another request's (``batching``)."""
        with index.expecting(question):
            await gate.acquire()
            try:
                if await request.is_disconnected():
                    return Response(status_code=499)  # nobody is waiting for this answer
                return await run_in_threadpool(work)
            finally:
                gate.release()

    @app.get("/api/search")
    async def search(request: Request, q: str | None = None, k: str | None = None,
                     collection: list[str] = Query(default=[]),
                     programme: list[str] = Query(default=[]),
                     since: str | None = None, until: str | None = None):
        question, n = _question(q), _k(k)
        chosen = Filters.parse(collection, programme, since, until)
        work = lambda: JSONResponse({"query": q, "hits": [  # noqa: E731
            h.to_dict() for h in index.search(question, k=n, filters=chosen)]})
        return await bounded(request, work, question)

    @app.get("/api/ask")
    async def ask(request: Request, q: str | None = None,
                  collection: list[str] = Query(default=[]),
                  programme: list[str] = Query(default=[]),
                  since: str | None = None, until: str | None = None,
                  context: list[str] = Query(default=[])):
        # context: the conversation's earlier questions (repeatable, oldest first).
        question = _question(q)
        chosen = Filters.parse(collection, programme, since, until)

        def work():
            started = time.perf_counter()
            answer = index.ask(question, chosen, history=context[-3:])
            if qlog is not None:
                qlog.record(answer, time.perf_counter() - started, chosen,
                            index.cached_vector(question.strip()))
            return JSONResponse(answer.to_dict())  # serialised here, off the event loop

        return await bounded(request, work, question)

    @app.get("/api/export.csv", response_class=PlainTextResponse)
    async def export(request: Request, q: str | None = None, k: str | None = None,
                     collection: list[str] = Query(default=[]),
                     programme: list[str] = Query(default=[]),
                     since: str | None = None, until: str | None = None):
        question, n = _question(q), _k(k, 20)
        chosen = Filters.parse(collection, programme, since, until)
        work = lambda: index.search(question, k=n, filters=chosen)  # noqa: E731
        hits = await bounded(request, work, question)
        if isinstance(hits, Response):
            return hits
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
                "chat_ready": getattr(request.app.state, "chat_ready", False)}

    @app.get("/api/questions")
    async def questions(request: Request, since: str | None = None,
                        unanswered: str | None = None, format: str | None = None):
        denied = staff_denied(request, s.staff_token, limiter)
        if denied is not None:
            return denied
        if qlog is None:
            return JSONResponse({"error": "El registro de preguntas está desactivado."},
                                status_code=404)
        day = parse_bound(since, upper=False) if since else None
        only = (unanswered or "").lower() in ("1", "true", "si", "sí", "yes")
        rows = await run_in_threadpool(qlog.rows, day, only)
        gaps = await run_in_threadpool(content_gaps, rows, index)
        if (format or "").lower() == "csv":
            return PlainTextResponse(
                gaps_csv(gaps), media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="preguntas.csv"'})
        return {"questions": len(rows), "groups": [g.to_dict() for g in gaps]}

    return app


def staff_denied(request: Request, token: str, limiter: Limiter) -> JSONResponse | None:
    """``None`` when the request carries the staff token; else the response that refuses it."""
    if not token:
        return JSONResponse({"error": "El acceso del personal a la API está desactivado "
                             "(falta staff_token en la configuración)."}, status_code=404)
    client = request.client.host if request.client else "?"
    wait = limiter.blocked(client)
    if wait:
        return JSONResponse({"error": "Demasiados intentos fallidos; espere e intente de "
                             "nuevo."}, status_code=429, headers={"Retry-After": str(wait)})
    status = check_token(request.headers.get("authorization"), token)
    if status == 200:
        return None
    limiter.failed(client)
    message = ("Falta la credencial del personal (Authorization: Bearer …)." if status == 401
               else "Credencial del personal incorrecta.")
    return JSONResponse({"error": message}, status_code=status,
                        headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)
