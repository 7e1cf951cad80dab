"""Posts -> answer units -> answer windows: the pieces of text an answer can quote.

A *unit* is a sentence (``sentences``), except that a sentence ending in ":" keeps the list
items that follow it while they fit in ``list_words`` ("Actividades a realizar: talleres,
foros...": the list is the answer, the sentence only announces it). A *window* is 1 to
``max_units`` consecutive units of one section of a post (never across a heading) and, when it
has more than one unit, at most ``max_words`` words. Answers hold their evidence in a window of
a few sentences far more often than in one sentence (the best single sentence by cosine holds
it about 1 time in 3, the best 3-sentence window more than 1 in 2), so every window is embedded
with its post's title at indexing time, and the answer quotes the best one, trimmed.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ..records import Post
from .sentences import sentence_spans


@dataclass(frozen=True)
class WindowParams:
    """How units group into windows (recorded in the manifest; changing it rebuilds)."""

    max_units: int = 3
    max_words: int = 70  # a window of several units stays within this
    list_words: int = 70  # a sentence announcing a list keeps its items within this

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Unit:
    """A sentence, or a sentence with the list it announces: ``post.text[start:end]``."""

    start: int
    end: int
    section: int  # the number of headings before it in the post


def _words(text: str) -> int:
    return len(text.split())


def post_units(post: Post, params: WindowParams = WindowParams()) -> list[Unit]:
    """The post's units in reading order (headings are not units: they end sections)."""
    units: list[Unit] = []
    section, announcing = 0, False
    for block in post.blocks:
        if block.heading:
            section, announcing = section + 1, False
            continue
        last = units[-1] if units else None
        if block.item and announcing and last is not None \
                and _words(post.text[last.start:block.end]) <= params.list_words:
            units[-1] = Unit(last.start, block.end, section)  # the item joins its lead-in
            continue
        spans = sentence_spans(post.text, block.start, block.end)
        units += [Unit(s, e, section) for s, e in spans]
        announcing = bool(spans) and post.text[spans[-1][1] - 1] == ":"
    return units


def post_windows(post: Post, units: list[Unit], params: WindowParams = WindowParams()
                 ) -> list[tuple[int, int]]:
    """``(first unit, number of units)`` of every window of the post, in reading order."""
    out = []
    for i, first in enumerate(units):
        for n in range(1, params.max_units + 1):
            last = i + n - 1
            if last >= len(units) or units[last].section != first.section:
                break
            if n > 1 and _words(post.text[first.start:units[last].end]) > params.max_words:
                break
            out.append((i, n))
    return out


def window_text(post: Post, start: int, end: int) -> str:
    """What the window index embeds: the window with its post's title as context."""
    return f"{post.title}. {post.text[start:end]}" if post.title else post.text[start:end]
