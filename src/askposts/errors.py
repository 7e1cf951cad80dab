"""One family of errors: everything askposts raises on purpose derives from ``AskpostsError``.

The message is Spanish and meant for the person using the tool; the CLI and the HTTP API show
it as it is. Any other exception is a bug and shows as one.
"""
from __future__ import annotations


class AskpostsError(Exception):
    """Base of the errors askposts raises on purpose (message in Spanish)."""
