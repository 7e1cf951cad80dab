"""The staff's HTTP API (bearer token ``staff_token``; failed tokens count like logins):

    GET  /api/summary?since=2026-01-01&until=2026-03-31   the summary's figures (JSON)
    GET  /api/corrections?format=jsonl                     corrections as train.jsonl lines
    POST /api/corrections    {"question", "answerable", "path", "evidence", "should_answer",
                              "question_id", "note"}        one correction (201)
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from ..spanish import messages as msg
from .auth import Limiter, check_token
from .insight import Insight, LogOff, period
from .service import AskService

_FIELDS = {"question": str, "answerable": bool, "path": str, "evidence": str,
           "should_answer": (bool, type(None)), "question_id": str, "note": str}


def add_staff_routes(app: FastAPI, service: AskService, limiter: Limiter) -> None:
    """The summary and the corrections, for the staff token's holder."""
    insight = app.state.insight = Insight(service)
    token = service.index.settings.staff_token

    @app.get("/api/summary")
    async def summary(request: Request, since: str | None = None, until: str | None = None):
        denied = staff_denied(request, token, limiter)
        if denied is not None:
            return denied
        start, end = period(since, until)
        try:
            seen = await run_in_threadpool(insight.overview, start, end)
        except LogOff as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        return seen.to_dict()

    @app.get("/api/corrections")
    async def corrections(request: Request, format: str | None = None):
        denied = staff_denied(request, token, limiter)
        if denied is not None:
            return denied
        try:
            kept = insight.corrections()
        except LogOff as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        if (format or "").lower() == "jsonl":
            return PlainTextResponse(
                await run_in_threadpool(kept.jsonl),
                media_type="application/jsonl; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="correcciones.jsonl"'})
        return {"corrections": [c.to_dict() for c in await run_in_threadpool(kept.all)]}

    @app.post("/api/corrections", status_code=201)
    async def correct(request: Request):
        denied = staff_denied(request, token, limiter)
        if denied is not None:
            return denied
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or any(
                k not in _FIELDS or not isinstance(v, _FIELDS[k]) for k, v in body.items()):
            return JSONResponse({"error": msg.BAD_CORRECTION}, status_code=400)
        try:
            made = await run_in_threadpool(lambda: insight.correct(**body))
        except LogOff as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except TypeError:  # a required field is missing
            return JSONResponse({"error": msg.BAD_CORRECTION}, status_code=400)
        return JSONResponse(made.to_dict(), status_code=201)


def staff_denied(request: Request, token: str, limiter: Limiter) -> JSONResponse | None:
    """``None`` when the request carries the staff token; else the response that refuses it."""
    if not token:
        return JSONResponse({"error": msg.STAFF_API_OFF}, status_code=404)
    client = request.client.host if request.client else "?"
    wait = limiter.blocked(client)
    if wait:
        return JSONResponse({"error": msg.TOO_MANY_FAILURES}, status_code=429,
                            headers={"Retry-After": str(wait)})
    status = check_token(request.headers.get("authorization"), token)
    if status == 200:
        return None
    limiter.failed(client)
    message = msg.TOKEN_MISSING if status == 401 else msg.TOKEN_WRONG
    return JSONResponse({"error": message}, status_code=status,
                        headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)
