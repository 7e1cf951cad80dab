"""The typed records that travel through askposts: files -> posts -> passages -> hits -> answer."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Block:
    """A span of a post's plain text: a heading, a paragraph or a list item."""

    start: int
    end: int
    heading: bool = False
    item: bool = False  # a list item (answers keep a list with the sentence announcing it)


@dataclass(frozen=True)
class Period:
    """When a post happened: one day, or whole years when only years are known."""

    first: dt.date
    last: dt.date
    year: int  # the year it is filed under (its date's, or the first it names)
    month: int = 0  # 1-12 when the day is known, 0 for a year-only date

    @classmethod
    def of(cls, date: str | None, years: tuple[int, ...] = ()) -> "Period | None":
        """From a post's ``date`` (``AAAA-MM-DD`` or ``AAAA``) and the ``years`` it names."""
        if date and len(date) == 10:
            day = dt.date.fromisoformat(date)
            return cls(day, day, day.year, day.month)
        span = years or ((int(date[:4]),) if date else ())
        if not span:
            return None
        return cls(dt.date(min(span), 1, 1), dt.date(max(span), 12, 31),
                   int(date[:4]) if date else span[0])


@dataclass(frozen=True)
class Post:
    """One Markdown file, its front matter normalised to one schema."""

    path: str  # relative to the content root, Unicode NFC, "/" separated
    collection: str  # first folder: blogs, proyectos, ...
    title: str
    summary: str = ""
    date: str | None = None  # ISO "YYYY-MM-DD", or "YYYY" when only a year is known
    years: tuple[int, ...] = ()  # every year the post names in `ano` (e.g. "2018 y 2022")
    programme: str = ""
    link: str = ""  # external link (`enlace`), when it is a URL
    url: str | None = None  # public URL on the site, only when a permalink defines it
    text: str = ""  # plain text: summary, other front-matter prose, then the body
    blocks: tuple[Block, ...] = ()

    @cached_property
    def period(self) -> Period | None:
        """The post's date, parsed once (filters, date boosts and menus all read this)."""
        return Period.of(self.date, self.years)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["years"] = list(self.years)
        data["blocks"] = [[b.start, b.end, b.heading, b.item] for b in self.blocks]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Post":
        data = dict(data)
        data["years"] = tuple(data.get("years", ()))
        data["blocks"] = tuple(Block(*b) for b in data.get("blocks", ()))
        return cls(**data)


@dataclass(frozen=True)
class Passage:
    """A piece of a post small enough to embed; ``post.text[start:end] == text``."""

    path: str
    heading: str
    start: int
    end: int
    text: str

    def embedding_text(self, title: str) -> str:
        # The title (and heading) give short passages the context they lack on their own.
        head = title
        if self.heading and self.heading != title and not self.text.startswith(self.heading):
            head = f"{title}. {self.heading}"
        return f"{head}\n{self.text}" if head and self.text else head or self.text


@dataclass(frozen=True)
class Problem:
    """A file that could not be indexed, and why (in Spanish: staff read it)."""

    path: str
    reason: str
    skipped: bool = True  # False: a warning, the file was indexed all the same


@dataclass
class Hit:
    """A post found for a query, with its best passage."""

    path: str
    title: str
    url: str | None
    date: str | None
    collection: str
    score: float
    text: str
    heading: str
    start: int
    end: int
    programme: str = ""
    link: str = ""
    signals: dict = field(default_factory=dict)  # per-ranker scores and ranks, for staff
    before: str = ""  # the post's text just before ``text`` (context shown around a quote)
    after: str = ""  # ... and just after it
    key: tuple[int, int] | None = None  # the answer's key span, as offsets into ``text``

    def to_dict(self) -> dict:
        data = asdict(self)
        data["key"] = list(self.key) if self.key else None
        return data


@dataclass
class Answer:
    """What ``Index.ask`` returns: Spanish text citing numbered excerpts."""

    question: str
    found: bool
    text: str
    citations: list[Hit] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)
    reason: str = ""
    confidence: float = 0.0  # probability that the first quote holds the answer (0-1)
    grade: str = "none"  # answer (found), near (closest excerpt, not an answer), none
    # From the cited post's front matter when asked and not quoted: "publicado el ..." (its
    # date) or "enlace: ..." (its link).
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
