"""Does the corpus answer this question? One explainable decision over retrieval signals.

Two checks, each with a reason staff can read:
1. Off topic: the best post's semantic similarity is below ``answer_threshold`` (the corpus
   talks about nothing close to the question).
2. Near miss: the question asks for a number, a date, a name, a place, an amount or a time
   ("¿cuántos...?", "¿cuándo...?", ...) and the best post has nothing of that kind next to the
   question's key terms (the post is on topic but does not say it).
docs/retrieval.md has the measurements behind the threshold and the rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .evidence import ANYWHERE, ASKING_WORDS, WINDOW, asked_kind, has_kind, sentences
from .generation import Generation
from .lexical import Analyzer
from .retrieve import QueryScores

_KIND_NAMES = {"money": "un monto", "time": "un horario", "year": "un año", "date": "una fecha",
               "count": "una cifra", "person": "un nombre", "place": "un lugar"}
_YEAR = re.compile(r"(19|20)\d\d")
RAREST = 3


@dataclass
class Decision:
    found: bool
    reason: str  # Spanish, shown to staff
    signals: dict = field(default_factory=dict)


def key_terms(question: str, analyzer: Analyzer, document_frequency: dict[str, int],
              limit: int = 4) -> list[str]:
    """The question's rarest content terms that the corpus knows (years excluded)."""
    words = [w for w in analyzer.words(question) if w not in ASKING_WORDS]
    stems = dict.fromkeys(analyzer.stem(words))
    known = [t for t in stems if document_frequency.get(t) and not _YEAR.fullmatch(t)]
    return sorted(known, key=lambda t: document_frequency[t])[:limit]


def evidence_sentence(kind: str, text: str, terms: list[str], analyzer: Analyzer,
                      question: str) -> str | None:
    """A sentence holding a key term and an answer of ``kind`` (dates: or a neighbour)."""
    parts = sentences(text)
    if kind in ANYWHERE:
        return next((s for s in parts if has_kind(kind, s)), None)
    # The rarest terms name what the question is about ("Landívar", "Educación"); a common
    # one ("digital") would let any sentence of the post pass.
    wanted, reach = set(terms[:RAREST]), WINDOW.get(kind, 0)
    for i, sentence in enumerate(parts):
        if wanted & set(analyzer.terms(sentence)):
            window = " ".join(parts[max(0, i - reach):i + reach + 1])
            if has_kind(kind, window, question):
                return sentence
    return None


def decide(gen: Generation, scores: QueryScores, question: str, top: list[int],
           analyzer: Analyzer, threshold: float) -> Decision:
    if not top:
        return Decision(False, "ninguna publicación coincide con los filtros")
    best = top[0]
    dense = float(scores.dense_post[best])
    signals = {"similitud": round(dense, 3)}
    if dense < threshold:
        return Decision(False, f"la publicación más cercana se parece poco a la pregunta "
                               f"(similitud {dense:.3f} < {threshold:.3f})", signals)
    kind = asked_kind(question)
    if kind is None:
        return Decision(True, f"pregunta abierta y publicación cercana (similitud {dense:.2f})",
                        signals)
    terms = key_terms(question, analyzer, gen.document_frequency)
    signals |= {"tipo": kind, "términos": terms}
    found = evidence_sentence(kind, gen.posts[best].text, terms, analyzer, question)
    if found is None:
        return Decision(False, f"la pregunta pide {_KIND_NAMES[kind]} y la publicación más "
                               f"cercana no lo menciona junto a {', '.join(terms) or 'sus términos'}",
                        signals)
    signals["evidencia"] = found[:200]
    return Decision(True, f"la publicación más cercana menciona {_KIND_NAMES[kind]} junto a "
                          f"los términos de la pregunta", signals)
