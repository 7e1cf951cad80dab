"""Public URLs the way Eleventy makes them: directory data ``permalink`` templates.

Eleventy reads ``<folder>/<folder>.json`` (and ``.11tydata.json``) for every folder above a
template, deeper folders winning. A permalink such as ``blogs/{{ page.fileSlug }}/index.html`` is
filled from the page and its front matter. A template we cannot fill gives no URL: never a guess.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

_VAR = re.compile(r"{{\s*([^}|]+?)\s*(?:\|\s*(\w+)\s*)?}}")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")


class DirectoryData:
    """Eleventy directory data files below a content root, read once and cached."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, dict] = {}

    def _folder_data(self, rel_folder: str) -> dict:
        if rel_folder not in self._cache:
            folder = self.root / rel_folder if rel_folder else self.root
            data: dict = {}
            for name in (f"{folder.name}.json", f"{folder.name}.11tydata.json"):
                try:
                    loaded = json.loads((folder / name).read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if isinstance(loaded, dict):
                    data.update(loaded)
            self._cache[rel_folder] = data
        return self._cache[rel_folder]

    def for_file(self, rel_path: str) -> dict:
        """Merged data for a file, shallow folders first so deeper ones win."""
        parts = rel_path.split("/")[:-1]
        merged: dict = {}
        for depth in range(1, len(parts) + 1):
            merged.update(self._folder_data("/".join(parts[:depth])))
        return merged


def file_slug(rel_path: str) -> str:
    path = Path(rel_path)
    stem = path.stem if path.stem != "index" else path.parent.name
    return _DATE_PREFIX.sub("", stem)


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_permalink(template: str, rel_path: str, meta: dict) -> str | None:
    """Fill ``{{ page.fileSlug }}`` and front-matter variables; ``None`` if any is unknown."""
    page = {"page.fileSlug": file_slug(rel_path), "page.filePathStem": "/" + rel_path[:-3]}
    missing = False

    def fill(match: re.Match) -> str:
        nonlocal missing
        name, filt = match.group(1), match.group(2)
        value = page.get(name, meta.get(name))
        if value is None or isinstance(value, dict | list) or filt not in (None, "slug", "slugify"):
            missing = True
            return ""
        value = str(value)
        return slugify(value) if filt else value

    rendered = _VAR.sub(fill, template)
    if missing or "{{" in rendered or "{%" in rendered:
        return None
    return rendered


def public_url(rel_path: str, meta: dict, data: DirectoryData, site_url: str) -> str | None:
    """The page's public URL, or ``None`` without a site URL or a usable permalink."""
    if not site_url:
        return None
    template = meta.get("permalink", data.for_file(rel_path).get("permalink"))
    if not isinstance(template, str) or not template.strip():
        return None  # no permalink (or permalink: false): the page has no URL
    path = render_permalink(template.strip(), rel_path, meta)
    if path is None:
        return None
    path = unicodedata.normalize("NFC", path).lstrip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return site_url.rstrip("/") + "/" + quote(path, safe="/")
