"""The web app as a factory, for ``askposts serve --workers N`` (one per uvicorn worker).

Each worker process opens the index folder named by ``ASKPOSTS_SERVE_INDEX`` with the settings
of the environment and config file, loads the model once, and follows new generations.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .index import Index


def app_for(index: "Index", mcp: bool = False) -> "FastAPI":
    """The web app for ``index``, with the model loaded and one question answered first, so
    the first visitor does not wait for them (a missing model stops the start, clearly).

    Loading the model in a thread while the web stack is built was measured: no faster
    (18.2/17.3 s before, 18.7/19.0 s after): both are imports that hold the GIL."""
    from .webapp import create_app

    index.ask("hola")
    return create_app(index, mcp=mcp)


def create() -> "FastAPI":
    """One worker's app (uvicorn factory)."""
    from .index import open_index
    from .settings import Settings

    index = open_index(os.environ.get("ASKPOSTS_SERVE_INDEX", "index"), Settings.load())
    return app_for(index, mcp=os.environ.get("ASKPOSTS_SERVE_MCP") == "1")
