"""A judged question -> an extractive, cited answer in Spanish.

The answer quotes the sentence the fitted model scored best, word for word, followed by its
citation number: ``La capacitación duró tres jornadas [1].`` A second post is quoted only when
its best sentence scores nearly as well. Nothing is written that a cited excerpt does not say.
Graded replies: a confident answer; "no direct answer, this is the closest" with the best
excerpt; or "not found" with the closest posts.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .confidence import Judgement
from .evidence import key_span
from .features import QuestionInfo
from .generation import Generation
from .records import Answer, Hit

NOT_FOUND = "No encontré información sobre eso en las publicaciones."
NEAR = "No encontré una respuesta directa; esto es lo más cercano:"
CONTEXT_CHARS = 160  # text kept around a quote for the reader
_SECOND = 0.5  # a second post is quoted when its best sentence's logit is this close
_SHORT = 8  # a best sentence this short (words) is quoted with the next one
_LEAD_IN = 50  # words: a sentence ending in ":" is quoted with what it introduces, up to this


def _cite(sentence: str, number: int) -> str:
    match = re.search(r"[.!?…:;]+[\"'”»)]*$", sentence)
    if match:
        return f"{sentence[:match.start()]} [{number}]{sentence[match.start():]}"
    return f"{sentence} [{number}]."


def _quote(gen: Generation, hit: Hit, sid: int, info: QuestionInfo) -> Hit:
    """``hit`` narrowed to sentence ``sid`` (and the next one when the first is a stub)."""
    post_idx, start, end = (int(v) for v in gen.sentences[sid])
    text = gen.posts[post_idx].text
    nxt = sid + 1
    if len(text[start:end].split()) < _SHORT and gen.sentences_share_post(sid, nxt):
        end, nxt = int(gen.sentences[nxt, 2]), nxt + 1
    if text[start:end].rstrip().endswith(":"):
        end = _introduced(gen, sid, nxt, start, end)
    quote = text[start:end]
    return replace(hit, text=quote, start=start, end=end, heading="",
                   before=text[max(0, start - CONTEXT_CHARS):start],
                   after=text[end:end + CONTEXT_CHARS],
                   key=key_span(info.kind, quote, info.text), signals=dict(hit.signals))


def _introduced(gen: Generation, sid: int, nxt: int, start: int, end: int) -> int:
    """"...cuatro elementos:" announces the answer: extend the quote over what follows it
    (list items, or the next sentence), while it stays short."""
    text = gen.posts[int(gen.sentences[sid, 0])].text
    while gen.sentences_share_post(sid, nxt):
        e = int(gen.sentences[nxt, 2])
        if len(text[start:e].split()) > _LEAD_IN:
            break
        end, nxt = e, nxt + 1
        if text[end - 1] in ".!?…":  # the list (or the sentence) it introduced has ended
            break
    return end


def _chosen(judged: Judgement) -> list[int]:
    """Candidate positions to quote: the best sentence, then another post's if close."""
    logits, ranks = judged.logits, judged.candidates.ranks
    if not len(logits):
        return []
    order = [int(i) for i in sorted(range(len(logits)), key=lambda i: -logits[i])]
    chosen = [order[0]]
    for i in order[1:]:
        if logits[i] < logits[order[0]] - _SECOND:
            break
        if ranks[i] != ranks[order[0]]:
            chosen.append(i)
            break
    return chosen


def compose(info: QuestionInfo, gen: Generation, hits: list[Hit], judged: Judgement) -> Answer:
    """The answer for a judged question from its ranked ``hits``."""
    d = judged.decision
    common = {"reason": d.reason, "confidence": round(d.confidence, 3), "grade": d.grade}
    chosen = _chosen(judged) if d.grade != "none" else []
    if d.grade == "near":
        chosen = chosen[:1]
    if not chosen:
        return Answer(info.text, False, NOT_FOUND, related=hits[:3], **{**common,
                                                                       "grade": "none"})
    citations = [_quote(gen, hits[int(judged.candidates.ranks[i])],
                        int(judged.candidates.ids[i]), info) for i in chosen]
    parts = [_cite(c.text, n) for n, c in enumerate(citations, 1)]
    used = {c.path for c in citations}
    related = [h for h in hits if h.path not in used][:3]
    if d.grade == "near":
        return Answer(info.text, False, f"{NEAR} «{parts[0]}»", citations, related, **common)
    return Answer(info.text, True, " ".join(parts), citations, related, **common)
