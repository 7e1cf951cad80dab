"""Sub-commands beyond index/search/eval, each registered by a small function."""
from __future__ import annotations

COMMANDS: list = []
