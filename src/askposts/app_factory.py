"""The web app as a factory, for ``askposts serve --workers N`` (one per uvicorn worker).

Each worker process opens the index folder named by ``ASKPOSTS_SERVE_INDEX`` with the settings
of the environment and config file, loads the model once, and follows new generations.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def create() -> "FastAPI":
    from .webapp import create_app
    from .index import open_index
    from .settings import Settings

    index = open_index(os.environ.get("ASKPOSTS_SERVE_INDEX", "index"), Settings.load())
    index.embedder.embed_query("hola")
    return create_app(index, mcp=os.environ.get("ASKPOSTS_SERVE_MCP") == "1")
