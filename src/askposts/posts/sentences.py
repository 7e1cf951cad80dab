"""The one sentence splitter of askposts: passages, the sentence index and answers use it.

Sentence boundaries come from ``sentencex`` (Wikimedia's segmenter, with Spanish abbreviations
such as «Lic.», «Dra.», «núm.», «p. ej.»). Two repairs on top of it, both about Spanish prose:
a piece that starts with a lower-case letter continues the sentence before it (``3 p.m. a la
sede``), and a single sentence longer than ``max_words`` is cut between words so a model still
sees all of it. Spans are character offsets into the text, whitespace trimmed.
"""
from __future__ import annotations

import re

from sentencex import segment

from ..records import Post

MAX_WORDS = 120  # a longer "sentence" is usually a list run together: cut between words
_WORD = re.compile(r"\S+")


def _raw_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    piece, pos, spans = text[start:end], start, []
    for part in segment("es", piece):
        s, e = pos, pos + len(part)
        pos = e
        lead = len(part) - len(part.lstrip())
        s, e = s + lead, e - (len(part) - len(part.rstrip()))
        if s < e:
            spans.append((s, e))
    if pos != end:  # the segmenter lost characters: fall back to the whole piece
        stripped = piece.strip()
        if not stripped:
            return []
        lead = len(piece) - len(piece.lstrip())
        return [(start + lead, start + lead + len(stripped))]
    return spans


def _merge_continuations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and text[s].islower() and "\n" not in text[out[-1][1]:s]:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _cut_long(text: str, s: int, e: int, max_words: int) -> list[tuple[int, int]]:
    words = [m.span() for m in _WORD.finditer(text, s, e)]
    if len(words) <= max_words:
        return [(s, e)]
    return [(words[i][0], words[min(i + max_words, len(words)) - 1][1])
            for i in range(0, len(words), max_words)]


def sentence_spans(text: str, start: int = 0, end: int | None = None,
                   max_words: int = MAX_WORDS) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``: ``text[s:e]`` is one trimmed sentence."""
    end = len(text) if end is None else end
    spans = _merge_continuations(text, _raw_spans(text, start, end))
    return [cut for s, e in spans for cut in _cut_long(text, s, e, max_words)]


def post_sentences(post: Post, max_words: int = MAX_WORDS) -> list[tuple[int, int]]:
    """Every sentence of a post's prose (headings are not sentences), in reading order."""
    return [span for block in post.blocks if not block.heading
            for span in sentence_spans(post.text, block.start, block.end, max_words)]
