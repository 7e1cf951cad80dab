"""How a generation was built, and what a rebuild takes from it.

A generation records the settings that shape it (site URL, front-matter schema, model, passage
sizes). A rebuild started without them (``serve --content`` with no ``--site-url``, the
webhook, ``watch``, a cron job) builds what was built before instead of silently dropping, say,
every post's public link. A value given explicitly (option, config file, environment) that
differs from the recorded one is applied and announced: in the build report, the log and
``/api/health`` (the manifest's ``build_changed``).
"""
from __future__ import annotations

from ..embedding.embedder import model_id
from ..settings import Settings

STICKY = ("site_url", "schema", "model", "min_words", "max_words", "hard_max_words")


def build_settings(settings: Settings) -> dict:
    """The sticky options as a manifest records them (under ``build``)."""
    return {name: _plain(name, getattr(settings, name)) for name in STICKY}


def recorded(manifest: dict | None) -> dict:
    """The sticky values a manifest holds; an older manifest's from its other fields."""
    if not manifest:
        return {}
    if "build" in manifest:
        return dict(manifest["build"])
    found = dict(manifest.get("chunking") or {})
    if "site_url" in manifest:
        found["site_url"] = manifest["site_url"]
    if "schema" in (manifest.get("fingerprint") or {}):
        found["schema"] = manifest["fingerprint"]["schema"]
    if (manifest.get("model") or {}).get("id"):
        found["model"] = manifest["model"]["id"]
    return {k: v for k, v in found.items() if k in STICKY}


def settle(settings: Settings, manifest: dict | None) -> tuple[Settings, dict[str, list]]:
    """``settings`` with the recorded value of every sticky option it was not given, and the
    options given explicitly with another value: ``{name: [recorded, now]}``."""
    inherit, changed = {}, {}
    for name, value in recorded(manifest).items():
        now = _plain(name, getattr(settings, name))
        if now == _plain(name, value):
            continue
        if settings.was_given(name):
            changed[name] = [value, now]
        else:
            inherit[name] = value
    return (settings.with_values(inherit) if inherit else settings), changed


def _plain(name: str, value: object) -> object:
    """A value as JSON holds it, comparable with a recorded one."""
    if name == "schema":
        return value.to_dict() if hasattr(value, "to_dict") else \
            {k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in value.items()}
    if name == "model":
        return model_id(str(value))
    return value
