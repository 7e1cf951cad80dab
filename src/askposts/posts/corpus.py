"""Content root -> posts: read every Markdown file, normalise its front matter, find its URL.

A file that cannot be read becomes a ``Problem`` (path and a one-line reason in Spanish) and
every other file is still loaded.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import frontmatter
import yaml

from ..errors import AskpostsError
from ..records import Block, Post, Problem
from ..spanish import messages as msg
from ..spanish.words import YEAR
from .permalinks import DirectoryData, public_url
from .plaintext import TextBlock, clean, html_blocks, markdown_blocks, markdown_text
from .schema import SiteSchema

_YEAR = re.compile(rf"\b({YEAR})\b")


_OS_REASONS = {errno.ELOOP: msg.FILE_LOOP, errno.EACCES: msg.FILE_DENIED,
               errno.ENOENT: msg.FILE_GONE, errno.EISDIR: msg.FILE_IS_FOLDER}


class ContentMissing(AskpostsError, FileNotFoundError):
    """The content folder does not exist."""


class PostError(Exception):
    """A file that cannot become a post; the message is the reason shown to people."""


@dataclass
class Corpus:
    root: Path
    posts: list[Post] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # path -> sha256 of the file's bytes


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def relative_path(root: Path, path: Path) -> str:
    return nfc(path.relative_to(root).as_posix())


def markdown_files(root: Path) -> list[Path]:
    """Every ``.md`` below ``root``, sorted; symlinked folders are not followed (no loops)."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.lower().endswith(".md") and not name.startswith("."):
                found.append(Path(folder) / name)
    return sorted(found, key=lambda p: relative_path(root, p))


def read_text(path: Path, max_bytes: int) -> tuple[str, str]:
    """``(text, sha256 of the bytes)``, or ``PostError`` saying why it cannot be used."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise PostError(msg.FILE_TOO_BIG.format(size=size / 1e6, most=max_bytes / 1e6))
        data = path.read_bytes()
    except PostError:
        raise
    except OSError as exc:
        reason = _OS_REASONS.get(exc.errno, exc.strerror or str(exc))
        raise PostError(msg.FILE_UNREADABLE.format(reason=reason)) from exc
    if not data.strip():
        raise PostError(msg.FILE_EMPTY)
    if b"\0" in data:
        raise PostError(msg.FILE_BINARY)
    try:
        return data.decode("utf-8-sig"), hashlib.sha256(data).hexdigest()
    except UnicodeDecodeError as exc:
        raise PostError(msg.FILE_NOT_UTF8.format(at=exc.start)) from exc


def parse_front_matter(text: str) -> tuple[dict, str]:
    lines = text.lstrip("\ufeff").splitlines()
    if lines and lines[0].strip() == "---" and not any(ln.strip() == "---" for ln in lines[1:]):
        raise PostError(msg.FRONT_MATTER_OPEN)
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = msg.FRONT_MATTER_LINE.format(line=mark.line + 1) if mark else ""
        raise PostError(msg.FRONT_MATTER_YAML.format(where=where)) from exc
    if not isinstance(post.metadata, dict):
        raise PostError(msg.FRONT_MATTER_NOT_DICT)
    return post.metadata, post.content


def _first_text(meta: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value)
    return ""


def _first(meta: dict, keys: tuple[str, ...]) -> object:
    return next((meta[k] for k in keys if meta.get(k) not in (None, "")), None)


def _date(meta: dict, schema: SiteSchema) -> tuple[str | None, tuple[int, ...]]:
    value = _first(meta, schema.date)
    years = tuple(sorted({int(y) for y in _YEAR.findall(str(_first(meta, schema.years) or ""))}))
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), years
    if isinstance(value, dt.date):
        return value.isoformat(), years
    if isinstance(value, str):
        match = re.match(r"(\d{4}-\d{2}-\d{2})", value.strip())
        if match:
            return match.group(1), years
    return (str(years[0]) if years else None), years


@lru_cache(maxsize=8)
def _url_pattern(domains: tuple[str, ...]) -> re.Pattern:
    tlds = "|".join(re.escape(d) for d in domains)
    return re.compile(rf"^(https?://|www\.)\S+$|^[\w.-]+\.({tlds})(/\S*)?$", re.I)


def _is_url(value: object, schema: SiteSchema) -> bool:
    return isinstance(value, str) and bool(_url_pattern(schema.url_domains).match(value.strip()))


def _prose_blocks(meta: dict, schema: SiteSchema) -> list[TextBlock]:
    """Front-matter text people read on the page: summary, embedded HTML, other prose fields."""
    blocks = []
    summary = _first_text(meta, schema.summary)
    if summary:
        blocks += markdown_blocks(summary)
    link = _first(meta, schema.link)
    if isinstance(link, str) and not _is_url(link, schema) and "<" in link:
        blocks += html_blocks(link)  # e.g. an embedded TikTok with its caption
    known = schema.known()
    for key, value in meta.items():
        if key not in known and isinstance(value, str) and len(value.split()) >= 4 \
                and not _is_url(value, schema):
            blocks += markdown_blocks(value)
    return blocks


def _assemble(blocks: list[TextBlock]) -> tuple[str, tuple[Block, ...]]:
    parts, spans, pos = [], [], 0
    for text, heading, item in blocks:
        if parts:
            pos += 2
        spans.append(Block(pos, pos + len(text), heading, item))
        parts.append(text)
        pos += len(text)
    return "\n\n".join(parts), tuple(spans)


def build_post(rel: str, meta: dict, body: str, url: str | None,
               schema: SiteSchema = SiteSchema()) -> Post:
    """Normalise one file's front matter and body into a ``Post``."""
    date, years = _date(meta, schema)
    text, blocks = _assemble(_prose_blocks(meta, schema) + markdown_blocks(body))
    slug = Path(rel).stem
    link = _first(meta, schema.link)
    summary = _first_text(meta, schema.summary)
    return Post(
        path=rel, collection=rel.split("/")[0] if "/" in rel else "",
        title=clean(_first_text(meta, schema.title)) or slug.replace("-", " "),
        summary=clean(markdown_text(summary)),
        date=date, years=years, programme=clean(str(_first(meta, schema.programme) or "")),
        link=str(link) if _is_url(link, schema) else "", url=url, text=text, blocks=blocks,
    )


def load_post(root: Path, path: Path, data: DirectoryData, site_url: str,
              max_bytes: int, schema: SiteSchema = SiteSchema()) -> tuple[Post, str]:
    """The post in ``path`` and the hash of its bytes."""
    rel = relative_path(root, path)
    text, digest = read_text(path, max_bytes)
    meta, body = parse_front_matter(text)
    meta = {nfc(str(k)): v for k, v in meta.items()}
    return build_post(rel, meta, body, public_url(rel, meta, data, site_url), schema), digest


def load_corpus(root: str | Path, site_url: str = "", max_bytes: int = 2_000_000,
                schema: SiteSchema = SiteSchema()) -> Corpus:
    """Load every Markdown post below ``root``; unreadable files become problems."""
    root = Path(root)
    if not root.is_dir():
        raise ContentMissing(msg.NO_CONTENT.format(root=root))
    corpus = Corpus(root)
    data = DirectoryData(root)
    for path in markdown_files(root):
        try:
            post, digest = load_post(root, path, data, site_url, max_bytes, schema)
        except PostError as exc:
            corpus.problems.append(Problem(relative_path(root, path), str(exc)))
            continue
        corpus.posts.append(post)
        corpus.hashes[post.path] = digest
    corpus.problems += duplicates(corpus.posts)
    return corpus


def duplicates(posts: list[Post]) -> list[Problem]:
    """Posts that share a public URL, or a title in one collection: indexed, but reported."""
    problems, seen_url, seen_title = [], {}, {}
    for post in posts:
        title = (post.collection, post.title.casefold())
        if post.url and post.url in seen_url:
            problems.append(Problem(post.path, msg.SAME_URL.format(other=seen_url[post.url],
                                                                   url=post.url), skipped=False))
        elif title in seen_title:
            problems.append(Problem(post.path, msg.SAME_TITLE.format(other=seen_title[title]),
                                    skipped=False))
        seen_url.setdefault(post.url, post.path)
        seen_title.setdefault(title, post.path)
    return problems
