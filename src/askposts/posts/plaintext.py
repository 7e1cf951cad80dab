"""Markdown with raw HTML -> plain-text blocks (headings, paragraphs, list items).

Markdown is rendered by markdown-it-py, then the HTML is walked with the standard library parser:
text inside script/style/iframe/form/... is dropped, every other tag is removed, block elements
become separate blocks. Headings are kept (as their own blocks) so passages can name them, and
list items are marked so an answer keeps a list with the sentence that announces it.
"""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from typing import NamedTuple

from markdown_it import MarkdownIt

# Content of these elements is never text a reader sees on the page.
_SKIP = {"script", "style", "iframe", "form", "noscript", "svg", "object", "select",
         "textarea", "button", "video", "audio", "template", "head", "title"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = _HEADINGS | {"p", "li", "div", "section", "article", "blockquote", "pre", "tr", "br",
                       "table", "ul", "ol", "hr", "dd", "dt", "figcaption", "header", "footer"}
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")
_MD = MarkdownIt("commonmark", {"html": True})


def clean(text: str) -> str:
    """NFC, no zero-width characters, whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    return _SPACES.sub(" ", text).strip()


class TextBlock(NamedTuple):
    """One block of plain text: a heading, a paragraph or a list item."""

    text: str
    heading: bool = False
    item: bool = False  # inside a list item (<li>)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[TextBlock] = []
        self._parts: list[str] = []
        self._skip_depth = 0
        self._heading = False
        self._items = 0  # depth of open <li>

    def _flush(self) -> None:
        text = clean("".join(self._parts))
        if text:
            self.blocks.append(TextBlock(text, self._heading, self._items > 0))
        self._parts = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag in _BLOCKS:
            self._flush()
            self._heading = tag in _HEADINGS
            self._items += tag == "li"

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCKS:
            self._flush()
            self._heading = False
            self._items = max(0, self._items - (tag == "li"))

    def handle_data(self, data):
        if not self._skip_depth:
            self._parts.append(data)

    def close(self):
        super().close()
        self._flush()


def html_blocks(html: str) -> list[TextBlock]:
    """Plain-text blocks of an HTML fragment."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return collector.blocks


def markdown_blocks(markdown: str) -> list[TextBlock]:
    """Plain-text blocks of a Markdown document that may contain raw HTML."""
    return html_blocks(_MD.render(markdown))


def markdown_text(markdown: str) -> str:
    """A Markdown fragment as one line of plain text (how a reader sees it)."""
    return " ".join(b.text for b in markdown_blocks(markdown))
