"""The ``askposts`` command: a thin layer over the Python API.

Exit codes: 0 success; 1 the index was built but some files were skipped (listed); 2 bad usage
or an error (message on stderr, in Spanish).
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .._version import __version__
from ..errors import AskpostsError
from . import answers, operations, reader, search, staff
from .common import EXIT_ERROR

if TYPE_CHECKING:
    from ..embedding.embedder import Embedder

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The full argument parser (every sub-command registers itself)."""
    ap = argparse.ArgumentParser(prog="askposts", description="Preguntas en español sobre "
                                 "las publicaciones de una organización.")
    ap.add_argument("--version", action="version", version=f"askposts {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    search.register(sub)
    answers.register(sub)
    staff.register(sub)
    reader.register(sub)
    operations.register(sub)
    return ap


def main(argv: list[str] | None = None, embedder: "Embedder | None" = None) -> int:
    """Run one command; ``embedder`` replaces the configured model (tests, notebooks)."""
    args = parser().parse_args(argv)
    args.embedder = embedder
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("Interrumpido.", file=sys.stderr)
        return EXIT_ERROR
    except AskpostsError as exc:  # anything else is a bug and shows as one
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_ERROR
