"""The web app as a factory, for ``askposts serve --workers N`` (one per uvicorn worker).

Each worker process opens the index folder named by ``ASKPOSTS_SERVE_INDEX`` with the settings
of the environment and config file, loads the model once, and follows new generations.
"""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .index import Index


def app_for(index: "Index", mcp: bool = False) -> "FastAPI":
    """The web app for ``index``, its encoder loaded and first query run meanwhile, in a
    thread: start-up takes the longer of the two (model, web stack), not their sum."""
    from .webapp import create_app

    failed: list[BaseException] = []

    def warm() -> None:
        try:
            index.ask("hola")  # loads the model, the answer model and the per-index caches
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the caller
            failed.append(exc)

    thread = threading.Thread(target=warm, name="askposts-warm-up")
    thread.start()
    app = create_app(index, mcp=mcp)
    thread.join()
    if failed:
        raise failed[0]
    return app


def create() -> "FastAPI":
    """One worker's app (uvicorn factory)."""
    from .index import open_index
    from .settings import Settings

    index = open_index(os.environ.get("ASKPOSTS_SERVE_INDEX", "index"), Settings.load())
    return app_for(index, mcp=os.environ.get("ASKPOSTS_SERVE_MCP") == "1")
