"""Does the corpus answer this question? One calibrated probability from the fitted model.

The sentence model scores every sentence of the best posts; the decision model turns the best
sentence's score and the question-level signals (``features.DECISION_FEATURES``) into the
probability that the corpus answers. Three grades follow from it:
- ``answer``: probability at least the fitted threshold;
- ``near``: below it, but the best sentence is on topic (at least ``near``): shown as the
  closest excerpt, not as an answer;
- ``none``: nothing close.
``Index.answers`` and ``Index.ask`` both read this one decision, so they agree by construction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .features import DECISION_FEATURES, Candidates, QuestionInfo, candidates, \
    decision_features
from .generation import Generation
from .model import AnswerModel

if TYPE_CHECKING:
    from .retrieve import QueryScores

# What each signal means, in the Spanish staff read, for the direction it pushes.
_SAYS = {
    "best_logit": ("hay una frase que encaja con la pregunta",
                   "ninguna frase encaja bien con la pregunta"),
    "logit_gap": ("una frase destaca sobre las demás", "ninguna frase destaca sobre las demás"),
    "best_cos": ("la mejor frase es muy parecida a la pregunta",
                 "la mejor frase se parece poco a la pregunta"),
    "max_cos": ("alguna frase es muy parecida a la pregunta",
                "ninguna frase se parece a la pregunta"),
    "dense_top": ("la publicación más cercana trata el tema",
                  "la publicación más cercana trata poco el tema"),
    "overlap_best": ("la mejor frase comparte los términos de la pregunta",
                     "la mejor frase comparte pocos términos de la pregunta"),
    "coverage_top": ("la publicación contiene los términos de la pregunta",
                     "la publicación no contiene varios términos de la pregunta"),
    "missing_top": ("la publicación contiene los términos clave",
                    "falta en la publicación un término clave de la pregunta"),
    "missing_best": ("la frase contiene los términos clave",
                     "falta junto a la frase un término clave de la pregunta"),
    "kind_asked": ("la pregunta es abierta", "la pregunta pide un dato concreto"),
    "kind_best": ("la frase tiene el tipo de dato que se pide",
                  "la frase no tiene el tipo de dato que se pide"),
    "negation_miss": ("la negación de la pregunta aparece en el texto",
                      "la pregunta niega algo que el texto no niega"),
    "number_miss": ("los números de la pregunta aparecen en el texto",
                    "un número de la pregunta no aparece en el texto"),
    "unknown": ("las publicaciones conocen los términos de la pregunta",
                "hay términos de la pregunta que ninguna publicación usa"),
    "fused_gap": ("una publicación destaca sobre las demás",
                  "ninguna publicación destaca sobre las demás"),
    "n_terms": ("la pregunta es precisa", "la pregunta tiene pocos términos"),
    "kind_with_terms": ("el dato pedido aparece junto a los términos de la pregunta",
                        "el dato pedido no aparece junto a los términos de la pregunta"),
}


@dataclass
class Decision:
    found: bool
    reason: str  # Spanish, shown to staff
    signals: dict = field(default_factory=dict)
    confidence: float = 0.0  # probability that the corpus answers (0-1)
    grade: str = "none"  # answer | near | none


@dataclass
class Judgement:
    """Everything the decision read, kept so the answer quotes what was judged."""

    decision: Decision
    candidates: Candidates
    logits: np.ndarray  # per candidate sentence


def _reason(model: AnswerModel, row: np.ndarray, grade: str, p: float,
            threshold: float) -> str:
    lin = model.decision
    z = (row - lin.mean) / lin.scale if lin.mean is not None else row
    contributions = z * lin.coef
    sign = 1 if grade == "answer" else -1
    order = np.argsort(-sign * contributions)
    said = [_SAYS[DECISION_FEATURES[i]][0 if sign > 0 else 1] for i in order[:2]
            if sign * contributions[i] > 0]
    head = {"answer": "respondo", "near": "no hay respuesta directa",
            "none": "no encontré respuesta"}[grade]
    because = f": {' y '.join(said)}" if said else ""
    return f"{head} (confianza {p:.2f}, umbral {threshold:.2f}){because}"


def judge(gen: Generation, info: QuestionInfo, top: list[int], scores: QueryScores,
          model: AnswerModel,
          threshold: float | None = None) -> Judgement:
    """Judge a ranked question; ``scores`` is its ``retrieve.QueryScores``."""
    fused, dense_post = scores.fused, scores.dense_post
    passages = (scores.sentence_cos, scores.dense_passage, scores.lexical_passage)
    threshold = model.threshold if threshold is None else threshold
    if not top:
        cands = candidates(gen, info, [], fused, *passages)
        return Judgement(Decision(False, "ninguna publicación coincide con los filtros"),
                         cands, np.zeros(0))
    cands = candidates(gen, info, top, fused, *passages)
    logits = model.sentence.logit(cands.rows) if len(cands.ids) else np.zeros(0)
    row = decision_features(gen, info, cands, logits, top, fused, dense_post)
    p = float(model.decision.probability(row[None, :])[0])
    grade = "answer" if p >= threshold else ("near" if p >= model.near and len(cands.ids)
                                             else "none")
    signals = {"confianza": round(p, 3), "umbral": round(threshold, 3),
               **{name: round(float(v), 3) for name, v in zip(DECISION_FEATURES, row)}}
    if info.kind:
        signals["tipo"] = info.kind
    decision = Decision(grade == "answer", _reason(model, row, grade, p, threshold), signals, p, grade)
    return Judgement(decision, cands, logits)
