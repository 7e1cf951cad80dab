"""HTTP JSON API (FastAPI) and the app that serves it next to the Gradio UI.

    GET /api/search?q=...&k=10&collection=blogs&programme=...&since=2023&until=2024
    GET /api/ask?q=...&collection=...&since=...&until=...&context=<earlier question>
    GET /api/export.csv?q=...   (same parameters as search; the staff view links to it)
    GET /api/health
Bad parameters answer 400 with ``{"error": "..."}`` in Spanish.
"""
from __future__ import annotations

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from .errors import AskpostsError
from .index import Index
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


def create_api(index: Index) -> FastAPI:
    app = FastAPI(title="askposts", description="Búsqueda y respuestas sobre publicaciones.",
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)

    @app.exception_handler(AskpostsError)
    async def bad_request(_request: Request, exc: Exception):
        return JSONResponse({"error": str(exc)}, status_code=400)

    def filters(collection, programme, since, until) -> dict:
        return {"collections": collection or None, "programmes": programme or None,
                "since": since or None, "until": until or None}

    @app.get("/api/search")
    def search(q: str | None = None, k: str | None = None,
               collection: list[str] = Query(default=[]),
               programme: list[str] = Query(default=[]),
               since: str | None = None, until: str | None = None):
        hits = index.search(_question(q), k=_k(k), **filters(collection, programme, since, until))
        return {"query": q, "hits": [h.to_dict() for h in hits]}

    @app.get("/api/ask")
    def ask(q: str | None = None, collection: list[str] = Query(default=[]),
            programme: list[str] = Query(default=[]),
            since: str | None = None, until: str | None = None,
            context: list[str] = Query(default=[])):
        # context: the conversation's earlier questions (repeatable, oldest first).
        answer = index.ask(_question(q), history=context[-3:],
                           **filters(collection, programme, since, until))
        return answer.to_dict()

    @app.get("/api/export.csv", response_class=PlainTextResponse)
    def export(q: str | None = None, k: str | None = None,
               collection: list[str] = Query(default=[]),
               programme: list[str] = Query(default=[]),
               since: str | None = None, until: str | None = None):
        hits = index.search(_question(q), k=_k(k, 20),
                            **filters(collection, programme, since, until))
        return PlainTextResponse(
            hits_csv(hits), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="iniciativas.csv"'})

    @app.get("/api/health")
    def health():
        gen = index.generation
        return {"status": "ok", "generation": gen.name, "posts": len(gen.posts),
                "passages": len(gen.passages), "sentences": len(gen.sentences),
                "model": gen.model_id,
                "precision": index.embedder.precision if index.has_embedder else None}

    return app


def create_app(index: Index):
    """The HTTP API with the Gradio UI mounted at ``/``."""
    import gradio as gr

    from .web import CSS, build_ui

    app = create_api(index)
    return gr.mount_gradio_app(app, build_ui(index), path="/", css=CSS, allowed_paths=[],
                               footer_links=[], show_error=False)
