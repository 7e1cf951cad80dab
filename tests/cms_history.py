"""Replay a site's CMS history into a folder (replay tests and benchmark of incremental builds).

The history is JSON lines, one commit a line: ``{"seq", "commit", "date", "message",
"changes": [{"op": "A"|"M"|"D"|"R", "path", "content", "old_path"}]}`` (paths relative to the
content root).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def read_history(path: str | Path) -> Iterator[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _inside(root: Path, rel: str) -> Path:
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ValueError(f"ruta fuera de la carpeta de contenido: {rel}")
    return target


def apply_commit(root: Path, commit: dict) -> None:
    """Apply one commit's changes to ``root``."""
    for change in commit["changes"]:
        if change["op"] in ("D", "R"):
            old = _inside(root, change.get("old_path") or change["path"])
            old.unlink(missing_ok=True)
        if change["op"] in ("A", "M", "R"):
            target = _inside(root, change["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(change["content"], encoding="utf-8")
