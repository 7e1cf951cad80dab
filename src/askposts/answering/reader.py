"""The reader stage: how well each answer unit of the best windows answers the question.

Between the candidates and the judge: the window model ranks every candidate window; the
reader (``readernet``, a cross-encoder trained here by ``askposts fit-reader``) reads the
question beside each unit of the best ``AnswerModel.read_top`` windows and gives it a score;
the ``reading`` signals turn those scores into window signals for the final window logits and
decision signals for the grade.

The weights (its layers and head, not e5's embeddings, which are mapped from the e5 folder)
ship in the package as ``reader.safetensors``; ``reader.json`` beside them records their
sha256, checked at load, and how they were trained. Loaded once per process, shared by the
threads (no state changes while scoring). ``HashReader`` stands in for tests, as
``embedding.hashed.HashEmbedder`` does for the encoder.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..caching import LRU
from ..errors import AskpostsError
from ..spanish import messages as msg
from ..spanish.words import fold
from . import readernet

if TYPE_CHECKING:
    from ..embedding.tokens import QueryTokenizer
    from ..settings import Settings

WEIGHTS = "reader.safetensors"
MANIFEST = "reader.json"
CHUNK = 16  # pairs of similar length run together
UNIT_CACHE = 20_000  # units' token ids kept (the corpus's units repeat across questions)


class ReaderError(AskpostsError):
    """The reader's weights are missing, damaged or of another format."""


class Reader(Protocol):
    """Scores (logits) of ``units`` as answers to ``question``: higher answers better."""

    def score(self, question: str, units: Sequence[str]) -> np.ndarray: ...


def shipped() -> Path:
    return Path(str(resources.files(__package__).joinpath(WEIGHTS)))


def _checked(path: Path) -> dict:
    """The manifest beside ``path``, after checking the file's sha256 against it."""
    manifest = path.with_name(MANIFEST) if path.name == WEIGHTS else \
        path.with_suffix(".json")
    try:
        info = json.loads(manifest.read_text(encoding="utf-8"))
        data = path.read_bytes()
    except (OSError, ValueError) as exc:
        raise ReaderError(msg.READER_MISSING.format(path=path, error=exc)) from exc
    if hashlib.sha256(data).hexdigest() != info.get("sha256"):
        raise ReaderError(msg.READER_CORRUPT.format(path=path))
    return info


class CrossReader:
    """The trained cross-encoder (see module doc); ``threads`` as the encoder's."""

    def __init__(self, cache_dir: Path, weights: str | Path | None = None, threads: int = 2,
                 precision: str = "auto", tokenizer: "QueryTokenizer | None" = None) -> None:
        """``tokenizer``: the query encoder's, shared (it costs ~100 MB a process)."""
        from ..embedding.base import TextEncoder, choose_precision, resolve_model
        from ..embedding.e5 import MODEL_NAME
        from ..embedding.encoder import mapped
        from ..embedding.tokens import QueryTokenizer

        path = Path(weights) if weights else shipped()
        self.info = _checked(path)
        self.id = str(self.info["sha256"])[:16]  # scores are cached under it when fitting
        self._torch = torch = TextEncoder._torch_for(threads)
        self.precision = choose_precision(precision)
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float32
        self.params, self.layers = self._load(path, dtype)
        folder = Path(resolve_model(MODEL_NAME, Path(cache_dir), self.precision))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.eps, self.heads = float(config["layer_norm_eps"]), int(
            config["num_attention_heads"])
        self.embed = readernet.Embeddings(mapped(folder / "model.safetensors"), self.eps)
        self.tokenizer = tokenizer or QueryTokenizer(folder, 512)
        self._units = LRU(UNIT_CACHE)

    @staticmethod
    def _load(path: Path, dtype) -> tuple[dict, int]:
        from safetensors import SafetensorError, safe_open

        try:
            with safe_open(str(path), framework="pt") as fh:
                meta = fh.metadata() or {}
                params = {k: fh.get_tensor(k).to(dtype) for k in fh.keys()}  # noqa: SIM118
            layers = int(meta["layers"])
            missing = [f"layer.{i}.{n}" for i in range(layers) for n in readernet.HIDDEN_NAMES
                       if f"layer.{i}.{n}" not in params]
        except (OSError, KeyError, ValueError, SafetensorError) as exc:
            raise ReaderError(msg.READER_CORRUPT.format(path=path)) from exc
        if missing or "head.weight" not in params or meta.get("format") != "1":
            raise ReaderError(msg.READER_CORRUPT.format(path=path))
        return params, layers

    def _unit_ids(self, units: Sequence[str]) -> list[list[int]]:
        found = {u: self._units.get(u) for u in dict.fromkeys(units)}
        new = [u for u, ids in found.items() if ids is None]
        for u, ids in zip(new, self.tokenizer.ids(new) if new else []):
            found[u] = ids
            self._units.put(u, ids)
        return [found[u] for u in units]

    def score(self, question: str, units: Sequence[str]) -> np.ndarray:
        """One logit per unit. Pairs run in chunks of similar length, in an order fixed by
        the pairs themselves: the same question and units give the same scores."""
        if not units:
            return np.zeros(0)
        q = self.tokenizer.ids([question])[0]
        rows = [readernet.pair_ids(q, u) for u in self._unit_ids(units)]
        with self._torch.inference_mode():
            scores = readernet.score_rows(self.embed, self.params, self.layers, self.heads,
                                          self.eps, rows, self.tokenizer.pad_id, CHUNK,
                                          key=lambda r: (len(r), r))
        return scores.float().numpy().astype(np.float64)


_WORD = re.compile(r"[a-z0-9]{3,}")


class HashReader:
    """A deterministic stand-in for tests: the share of the question's words in the unit."""

    id = "hash"

    def score(self, question: str, units: Sequence[str]) -> np.ndarray:
        asked = set(_WORD.findall(fold(question)))
        return np.array([len(asked & set(_WORD.findall(fold(u)))) / max(len(asked), 1)
                         for u in units], np.float64) * 4.0 - 2.0


def load_reader(settings: "Settings", embedder: object) -> Reader:
    """The reader to use beside ``embedder``: the trained one (``settings.reader_weights``,
    or the shipped weights), or ``HashReader`` beside the test stand-in encoder."""
    if getattr(embedder, "stand_in", False):
        return HashReader()
    from ..embedding.tokens import QueryTokenizer

    shared = getattr(embedder, "tokenizer", None)  # the plain-torch encoder's: same e5 pieces
    return CrossReader(settings.cache_dir, settings.reader_weights or None, settings.threads,
                       settings.precision,
                       shared if isinstance(shared, QueryTokenizer) else None)
