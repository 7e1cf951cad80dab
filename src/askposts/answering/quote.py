"""A judged question -> an extractive, cited answer in Spanish.

The answer quotes the window the judge chose, word for word, followed by its citation number:
``La capacitación duró tres jornadas [1].`` A second post is quoted only when its best window
scores nearly as well and says something else. When the question asks when (or for a link) and
the quote holds none, the reply adds the cited post's date (or link) from its front matter. Nothing is written that a cited post does
not say. Graded replies: a confident answer; "no direct answer, this is the closest" with the
best passage; or "not found" with the closest posts.
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from ..indexing.generation import Generation
from ..records import Answer, Hit
from ..spanish.messages import LINKED, NEAR, NOT_FOUND, PUBLISHED
from ..spanish.patterns import has_kind, key_span
from ..spanish.words import spanish_date
from .candidates import Windows
from .judge import Judgement
from .query import Query

CONTEXT_CHARS = 160  # text kept around a quote for the reader
_DATED = ("date", "year")  # kinds of answer a post's date can give


def _cite(quote: str, number: int) -> str:
    match = re.search(r"[.!?…:;]+[\"'”»)]*$", quote)
    if match:
        return f"{quote[:match.start()]} [{number}]{quote[match.start():]}"
    return f"{quote} [{number}]."


def _key_unit(c: Windows, logits: np.ndarray, w: int) -> int:
    """The window's unit that scores best on its own (its one-unit window's logit)."""
    gen, (first, n) = c.gen, (int(v) for v in c.gen.windows[int(c.ids[w])])
    best, unit = -np.inf, first
    for u in range(first, first + n):
        hits = np.flatnonzero(c.ids == gen.unit_window[u])
        if len(hits) and logits[hits[0]] > best:
            best, unit = logits[hits[0]], u
    return unit


def _key(c: Windows, logits: np.ndarray, w: int, query: Query, start: int,
         quote: str) -> tuple[int, int] | None:
    """What to highlight in the quote: the asked-for datum (in the key unit first), else the
    key unit itself when the quote has several."""
    gen = c.gen
    unit = _key_unit(c, logits, w)
    u_start, u_end = int(gen.units[unit, 1]) - start, int(gen.units[unit, 2]) - start
    for lo, hi in ((u_start, u_end), (0, len(quote))):
        span = key_span(query.kind, quote[lo:hi], query.asked)
        if span:
            return lo + span[0], lo + span[1]
    return (u_start, u_end) if int(gen.windows[int(c.ids[w]), 1]) > 1 else None


def _quote(gen: Generation, hit: Hit, judged: Judgement, w: int, query: Query) -> Hit:
    """``hit`` narrowed to candidate window ``w``."""
    c = judged.windows
    wid = int(c.ids[w])
    start, end = int(gen.window_start[wid]), int(gen.window_end[wid])
    text = gen.posts[int(gen.window_post[wid])].text
    quote = text[start:end]
    return replace(hit, text=quote, start=start, end=end, heading="",
                   before=text[max(0, start - CONTEXT_CHARS):start],
                   after=text[end:end + CONTEXT_CHARS],
                   key=_key(c, judged.logits, w, query, start, quote), signals=dict(hit.signals))


def post_note(query: Query, quote: Hit) -> str:
    """What the cited post's front matter says when the question asks for it and the quote
    does not: "publicado el 3 de marzo de 2022" for «¿cuándo...?», the post's link for
    «¿dónde puedo ver...?»."""
    if query.kind is None or has_kind(query.kind, quote.text):
        return ""
    if query.kind in _DATED and quote.date:
        return PUBLISHED.format(date=spanish_date(quote.date))
    if query.kind == "link" and quote.link:
        return LINKED.format(link=quote.link)
    return ""


def compose(query: Query, gen: Generation, hits: list[Hit], judged: Judgement) -> Answer:
    """The answer for a judged question from its ranked ``hits``."""
    d = judged.decision
    common = {"reason": d.reason, "confidence": round(d.confidence, 3), "grade": d.grade}
    chosen = [] if d.grade == "none" or judged.quote is None else [judged.quote]
    if d.grade == "answer" and judged.second is not None:
        chosen.append(judged.second)
    if not chosen:
        return Answer(query.asked, False, NOT_FOUND, related=hits[:3],
                      **{**common, "grade": "none"})
    ranks = judged.windows.rank
    citations = [_quote(gen, hits[int(ranks[w])], judged, w, query) for w in chosen]
    parts = [_cite(c.text, n) for n, c in enumerate(citations, 1)]
    note = post_note(query, citations[0])
    dated = f" ({note[0].upper()}{note[1:]} [1].)" if note else ""
    used = {c.path for c in citations}
    related = [h for h in hits if h.path not in used][:3]
    if d.grade == "near":
        return Answer(query.asked, False, f"{NEAR} «{parts[0]}»{dated}", citations, related,
                      note=note, **common)
    return Answer(query.asked, True, " ".join(parts) + dated, citations, related, note=note,
                  **common)
