"""Posts -> passages of about 120-250 words, split on headings, paragraphs and sentences.

A passage never cuts a sentence (a single sentence longer than the hard limit is the only
exception: it is cut between words so the model still sees all of it). Every passage records its
character span in the post's plain text, so ``post.text[start:end] == passage.text``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Passage, Post
from ..settings import Settings
from .sentences import sentence_spans

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class ChunkParams:
    """Passage sizes in words (defaults: those of ``Settings``)."""

    min_words: int = Settings.min_words
    max_words: int = Settings.max_words
    hard_max_words: int = Settings.hard_max_words  # a longer sentence is cut between words

    @classmethod
    def of(cls, settings: Settings) -> "ChunkParams":
        """The sizes a settings object asks for."""
        return cls(settings.min_words, settings.max_words, settings.hard_max_words)

    def to_dict(self) -> dict:
        """The sizes by name (recorded in the manifest)."""
        return {"min_words": self.min_words, "max_words": self.max_words,
                "hard_max_words": self.hard_max_words}


def _words(text: str) -> int:
    return len(text.split())


def _cut_words(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    words = [m.span() for m in _WORD.finditer(text, start, end)]
    return [(words[i][0], words[min(i + size, len(words)) - 1][1])
            for i in range(0, len(words), size)]


def _units(post: Post, params: ChunkParams) -> list[tuple[int, int, str | None]]:
    """Spans no passage may cut, each with the heading it opens (or None)."""
    units = []
    for block in post.blocks:
        if block.heading:
            units.append((block.start, block.end, post.text[block.start:block.end]))
            continue
        spans = [(block.start, block.end)]
        if _words(post.text[block.start:block.end]) > params.max_words:
            spans = sentence_spans(post.text, block.start, block.end, params.hard_max_words)
        for s, e in spans:
            if _words(post.text[s:e]) > params.hard_max_words:
                units += [(a, b, None) for a, b in _cut_words(post.text, s, e, params.max_words)]
            else:
                units.append((s, e, None))
    return units


def _group(units, text: str, params: ChunkParams) -> list[tuple[int, int, str]]:
    groups: list[list] = []  # [start, end, heading, words]
    heading = ""
    for start, end, opens in units:
        words = _words(text[start:end])
        current = groups[-1] if groups else None
        if opens is not None:
            heading = opens
        fits = current is not None and current[3] + words <= params.max_words
        # A heading starts a new passage once the current one is long enough to stand alone.
        if fits and (opens is None or current[3] < params.min_words // 2):
            current[1], current[3] = end, current[3] + words
        else:
            groups.append([start, end, heading, words])
    # A short tail joins the passage before it when together they stay within the hard limit.
    if len(groups) > 1 and groups[-1][3] < params.min_words // 3 \
            and groups[-2][3] + groups[-1][3] <= params.hard_max_words:
        tail = groups.pop()
        groups[-1][1], groups[-1][3] = tail[1], groups[-1][3] + tail[3]
    return [(s, e, h) for s, e, h, _ in groups]


def split_post(post: Post, params: ChunkParams = ChunkParams()) -> list[Passage]:
    """The post's passages; a post without any text gets one passage made of its title."""
    if not post.text.strip():
        return [Passage(post.path, "", 0, 0, "")]
    return [Passage(post.path, heading, s, e, post.text[s:e])
            for s, e, heading in _group(_units(post, params), post.text, params)]

