"""The fitted answer model: three linear models in one small JSON file shipped in the package.

- ``fusion`` ranks posts from the rankers' normalised scores (``features.POST_FEATURES``);
- ``sentence`` scores each candidate sentence: the logit that it holds the answer;
- ``decision`` gives the probability that the corpus answers the question, and ``threshold``
  is the probability below which askposts says it found no answer.

``askposts fit`` (module ``fitting``) writes the file; docs/retrieval.md tells how it was fitted.
Query time is numpy only: a dot product per model.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import AskpostsError
from .features import DECISION_FEATURES, POST_FEATURES, SENTENCE_FEATURES

FORMAT = 1


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

    def weights(self) -> dict[str, float]:
        """Weight of each feature in its own units (for explanations and docs)."""
        scale = self.scale if self.scale is not None else np.ones(len(self.coef))
        return {f: float(c / s) for f, c, s in zip(self.features, self.coef, scale)}

    def to_dict(self) -> dict:
        data = {"features": list(self.features), "coef": self.coef.tolist(),
                "intercept": float(self.intercept)}
        if self.mean is not None:
            data |= {"mean": self.mean.tolist(), "scale": self.scale.tolist()}
        return data

    @classmethod
    def from_dict(cls, data: dict, expected: tuple[str, ...]) -> "Linear":
        if tuple(data["features"]) != expected:
            raise ModelError("El modelo de respuestas se ajustó con otras señales "
                             f"({', '.join(data['features'])}); vuelva a ajustarlo con "
                             "askposts fit.")
        arr = (lambda k: np.array(data[k], np.float64) if k in data else None)  # noqa: E731
        return cls(expected, arr("coef"), float(data.get("intercept", 0.0)), arr("mean"),
                   arr("scale"))


@dataclass(frozen=True)
class AnswerModel:
    """The fitted answer model: fusion, sentence and decision weights, and thresholds."""

    fusion: Linear
    sentence: Linear
    decision: Linear
    threshold: float  # probability below which the answer is "not found"
    near: float  # below threshold but at least this: "the closest I found"
    info: dict

    def to_dict(self) -> dict:
        return {"format": FORMAT, "fusion": self.fusion.to_dict(),
                "sentence": self.sentence.to_dict(), "decision": self.decision.to_dict(),
                "threshold": self.threshold, "near": self.near, "info": self.info}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict) -> "AnswerModel":
        if data.get("format") != FORMAT:
            raise ModelError("Formato de modelo de respuestas desconocido; vuelva a ajustarlo "
                             "con askposts fit.")
        return cls(Linear.from_dict(data["fusion"], POST_FEATURES),
                   Linear.from_dict(data["sentence"], SENTENCE_FEATURES),
                   Linear.from_dict(data["decision"], DECISION_FEATURES),
                   float(data["threshold"]), float(data["near"]), data.get("info", {}))

    @classmethod
    def load(cls, path: str | Path | None = None) -> "AnswerModel":
        """The model in ``path``, or the one shipped in the package."""
        try:
            if path:
                text = Path(path).read_text(encoding="utf-8")
            else:
                text = resources.files("askposts").joinpath("answer_model.json").read_text(
                    encoding="utf-8")
            return cls.from_dict(json.loads(text))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"No se pudo leer el modelo de respuestas {path or ''}: "
                             f"{exc}") from exc


def starting_model() -> AnswerModel:
    """Hand-set weights used only to bootstrap the first fit (never shipped as the answer)."""
    return AnswerModel(
        Linear(POST_FEATURES, np.array([0.5, 0.25, 0.25, 0.0, 0.15])),
        Linear(SENTENCE_FEATURES, np.array([3.0, 3.0, 0, 2.0, 1.0, 0.5, 0.5, -0.2, 0.5, 0.5,
                                            -0.5, 0, 0, 0, 0, 0, 0, 0, 0])),
        Linear(DECISION_FEATURES, np.zeros(len(DECISION_FEATURES))), 0.0, 0.0, {})
