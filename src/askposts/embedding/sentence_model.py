"""The sentence-transformers back end: what indexes are built with (and any other model)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .base import TextEncoder, choose_precision, model_id, normalised, resolve_model


class ModelEmbedder(TextEncoder):
    """A loaded sentence-transformers model (what indexes are built with).

    Vectors are always float32 and normalised, whatever precision the encoder computes in,
    so indexes from either precision mix.
    """

    def __init__(self, model: str, cache_dir: Path, threads: int = 2,
                 precision: str = "auto") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # our own progress bars only

        self._torch = torch = self._torch_for(threads)
        precision = choose_precision(precision)
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        self.model = SentenceTransformer(resolve_model(model, Path(cache_dir), precision),
                                         device="cpu", model_kwargs={"dtype": dtype})
        if precision == "bf16":
            self.model.to(torch.bfloat16)  # any module the loader left in float32
        prompts = self.model.prompts or {}
        passage = next((prompts[p] for p in ("passage", "document") if prompts.get(p)), "")
        super().__init__(model_id(model), int(self.model.get_embedding_dimension()),
                         precision, prompts.get("query") or "", passage)

    def _encode_one(self, text: str) -> np.ndarray:
        # The prompt is already in the text: sentence-transformers must not add another.
        vecs = self.model.encode([text], normalize_embeddings=False, convert_to_tensor=True,
                                 batch_size=1)
        return normalised(vecs.float().numpy())[0]
