"""The fitted answer model: four linear models in one small JSON file shipped in the package.

- ``fusion`` ranks posts from the rankers' normalised scores (``rank.POST_FEATURES``);
- ``window`` scores each candidate answer window: the logit that it holds the answer
  (``features.WINDOW_FEATURES``); ``reading`` rescores them with the reader's scores of the
  ``read_top`` units of the best ones (``reading.READING_FEATURES``), and ``trim`` is how much
  lower a trimmed window may score and still be the quote;
- ``answer`` gives the probability that the quote holds the answer and ``topic`` that the
  posts answer the question at all (``verdict.DECISION_FEATURES``); ``threshold`` (on
  ``answer``) and ``near`` (on ``topic``) make the three grades.

Each model names its signals; the file is keyed by those names and any registered signal can
be used, so a new signal is a function plus a refit. ``askposts fit`` (``fitting.train``) writes the
file; docs/retrieval.md tells how it was fitted. Query time is numpy only.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import AskpostsError
from ..spanish import messages as msg

FORMAT = 3  # 3: a reading model over the reader's scores (2: none; still read)
READABLE = (2, 3)


class ModelError(AskpostsError):
    """The answer model file is missing, unreadable or was fitted on other features."""


@dataclass(frozen=True)
class Linear:
    """``logit(x) = ((x - mean) / scale) . coef + intercept``."""

    features: tuple[str, ...]
    coef: np.ndarray
    intercept: float = 0.0
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None

    def logit(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self.mean is not None:
            x = (x - self.mean) / self.scale
        return x @ self.coef + self.intercept

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(x)))

    def columns(self, available: tuple[str, ...]) -> list[int]:
        """Where this model's signals are among ``available`` (a matrix's columns)."""
        return [available.index(f) for f in self.features]

    def to_dict(self) -> dict:
        data = {"features": list(self.features), "coef": self.coef.tolist(),
                "intercept": float(self.intercept)}
        if self.mean is not None:
            data |= {"mean": self.mean.tolist(), "scale": self.scale.tolist()}
        return data

    def check(self, known: Iterable[str]) -> None:
        """``ModelError`` unless every signal it reads is among ``known``."""
        unknown = sorted(set(self.features) - set(known))
        if unknown:
            raise ModelError(msg.MODEL_UNKNOWN_SIGNALS.format(names=", ".join(unknown)))

    @classmethod
    def from_dict(cls, data: dict) -> "Linear":
        names = tuple(data["features"])
        arr = (lambda k: np.array(data[k], np.float64) if k in data else None)  # noqa: E731
        coef = arr("coef")
        if coef is None or len(coef) != len(names):
            raise ModelError(msg.MODEL_INCOMPLETE)
        return cls(names, coef, float(data.get("intercept", 0.0)), arr("mean"), arr("scale"))


@dataclass(frozen=True)
class AnswerModel:
    """The fitted answer model: fusion, window, answer and topic weights, and thresholds."""

    fusion: Linear
    window: Linear
    answer: Linear
    topic: Linear
    trim: float  # a trimmed window is quoted while it scores within this of the best
    threshold: float  # ``answer`` probability from which the reply is an answer
    near: float  # below threshold, ``topic`` probability from which it is "the closest"
    info: dict
    # The reader stage (``reading``): final window logits from the first-stage logit and the
    # reader's scores of ``read_top`` units of the best windows. None: no reader.
    reading: Linear | None = None
    read_top: int = 0

    def to_dict(self) -> dict:
        return {"format": FORMAT, "fusion": self.fusion.to_dict(),
                "window": self.window.to_dict(), "answer": self.answer.to_dict(),
                "topic": self.topic.to_dict(), "trim": self.trim,
                "threshold": self.threshold, "near": self.near, "info": self.info,
                **({"reading": self.reading.to_dict(), "read_top": self.read_top}
                   if self.reading is not None else {})}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict) -> "AnswerModel":
        if data.get("format") not in READABLE:
            raise ModelError(msg.MODEL_FORMAT)
        reading = Linear.from_dict(data["reading"]) if data.get("reading") else None
        return cls(Linear.from_dict(data["fusion"]), Linear.from_dict(data["window"]),
                   Linear.from_dict(data["answer"]), Linear.from_dict(data["topic"]),
                   float(data["trim"]),
                   float(data["threshold"]), float(data["near"]), data.get("info", {}),
                   reading, int(data.get("read_top", 0)))

    @classmethod
    def load(cls, path: str | Path | None = None, reader: bool = False) -> "AnswerModel":
        """The model in ``path``, or the one shipped in the package (with ``reader``: the
        one fitted with the reader's stage)."""
        name = "answer_model_reader.json" if reader else "answer_model.json"
        try:
            if path:
                text = Path(path).read_text(encoding="utf-8")
            else:
                text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
            return cls.from_dict(json.loads(text))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(msg.MODEL_UNREADABLE.format(path=path or "", error=exc)) from exc


def starting_fusion() -> Linear:
    """Hand-set fusion weights used only to bootstrap the first fit (never shipped)."""
    return Linear(("dense", "lex_post", "lex_passage", "window", "date"),
                  np.array([0.5, 0.25, 0.25, 0.0, 0.15]))
