"""Does the corpus answer this question? One explainable decision over retrieval signals."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .generation import Generation
from .retrieve import QueryScores


@dataclass
class Decision:
    found: bool
    confidence: float
    reason: str  # Spanish, shown to staff
    signals: dict = field(default_factory=dict)


def decide(gen: Generation, scores: QueryScores, question: str, top: list[int],
           threshold: float) -> Decision:
    if not top:
        return Decision(False, 0.0, "ninguna publicación coincide con los filtros")
    best = top[0]
    dense = float(scores.dense_post[best])
    return Decision(dense >= threshold, dense, f"similitud semántica {dense:.2f}",
                    {"dense": dense})
