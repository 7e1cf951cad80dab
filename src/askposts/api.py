"""HTTP JSON API (FastAPI) and the app that serves it next to the Gradio UI.

    GET /api/search?q=...&k=10&collection=blogs&programme=...&since=2023&until=2024
    GET /api/ask?q=...&collection=...&since=...&until=...&context=<earlier question>
    GET /api/export.csv?q=...   (same parameters as search; the staff view links to it)
    GET /api/health
Bad parameters answer 400 with ``{"error": "..."}`` in Spanish; when every slot is taken
past a short wait, 503 with ``Retry-After`` (see ``serving``).
"""
from __future__ import annotations

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from .errors import AskpostsError
from .index import Index
from .render import hits_csv
from .serving import Busy, Gate

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


def create_api(index: Index, gate: Gate | None = None) -> FastAPI:
    s = index.settings
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

    async def bounded(request: Request, work):
        """Run ``work`` in a worker thread once a slot is free; drop it if the client left."""
        await gate.acquire()
        try:
            if await request.is_disconnected():
                return Response(status_code=499)  # nobody is waiting for this answer
            return await run_in_threadpool(work)
        finally:
            gate.release()

    def filters(collection, programme, since, until) -> dict:
        return {"collections": collection or None, "programmes": programme or None,
                "since": since or None, "until": until or None}

    @app.get("/api/search")
    async def search(request: Request, q: str | None = None, k: str | None = None,
                     collection: list[str] = Query(default=[]),
                     programme: list[str] = Query(default=[]),
                     since: str | None = None, until: str | None = None):
        question, n = _question(q), _k(k)
        work = lambda: {"query": q, "hits": [h.to_dict() for h in index.search(  # noqa: E731
            question, k=n, **filters(collection, programme, since, until))]}
        return await bounded(request, work)

    @app.get("/api/ask")
    async def ask(request: Request, q: str | None = None,
                  collection: list[str] = Query(default=[]),
                  programme: list[str] = Query(default=[]),
                  since: str | None = None, until: str | None = None,
                  context: list[str] = Query(default=[])):
        # context: the conversation's earlier questions (repeatable, oldest first).
        question = _question(q)
        work = lambda: index.ask(question, history=context[-3:],  # noqa: E731
                                 **filters(collection, programme, since, until)).to_dict()
        return await bounded(request, work)

    @app.get("/api/export.csv", response_class=PlainTextResponse)
    async def export(request: Request, q: str | None = None, k: str | None = None,
                     collection: list[str] = Query(default=[]),
                     programme: list[str] = Query(default=[]),
                     since: str | None = None, until: str | None = None):
        question, n = _question(q), _k(k, 20)
        work = lambda: index.search(question, k=n,  # noqa: E731
                                    **filters(collection, programme, since, until))
        hits = await bounded(request, work)
        if isinstance(hits, Response):
            return hits
        return PlainTextResponse(
            hits_csv(hits), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="iniciativas.csv"'})

    @app.get("/api/health")
    def health():
        gen = index.generation
        return {"status": "ok", "generation": gen.name, "posts": len(gen.posts),
                "passages": len(gen.passages), "sentences": len(gen.sentences),
                "model": gen.model_id,
                "precision": index.embedder.precision if index.has_embedder else None,
                "index_precision": gen.manifest["model"].get("precision"),
                "in_flight": gate.in_flight, "slots": gate.slots, "refused": gate.refused}

    return app


# The app takes no files: Gradio's upload route and its file server are closed, so nobody can
# use the site to host files or fill the disk.
_CLOSED = ("/gradio_api/upload", "/upload", "/gradio_api/file=", "/file=")


def _no_files(app) -> None:
    @app.middleware("http")
    async def refuse_files(request: Request, call_next):
        if request.url.path.startswith(_CLOSED):
            return JSONResponse({"error": "Este sitio no recibe ni sirve archivos."},
                                status_code=403)
        return await call_next(request)


def create_app(index: Index):
    """The HTTP API with the Gradio UI mounted at ``/``; both share one admission gate."""
    import gradio as gr

    from .web import CSS, build_ui

    s = index.settings
    gate = Gate(s.slots, s.slot_wait, s.queue_size)
    app = create_api(index, gate)
    _no_files(app)
    return gr.mount_gradio_app(app, build_ui(index, gate), path="/", css=CSS, allowed_paths=[],
                               footer_links=[], show_error=False, max_file_size=1)
