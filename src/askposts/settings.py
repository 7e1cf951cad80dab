"""One settings object: defaults, then a TOML config file, then ``ASKPOSTS_*`` variables.

The config file is ``askposts.toml`` in the working directory, or the file named by
``ASKPOSTS_CONFIG``. Every field below can be set there (same name) or in the environment
(``ASKPOSTS_`` + the name in capitals, e.g. ``ASKPOSTS_SITE_URL``). The site's front-matter
schema is a ``[schema]`` table in the file (see ``posts.schema``), or JSON in ``ASKPOSTS_SCHEMA``.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .errors import AskpostsError
from .posts.schema import SiteSchema
from .spanish import messages as msg


class SettingsError(AskpostsError, ValueError):
    """An unknown option or a value of the wrong type in the configuration."""


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "askposts"


@dataclass(frozen=True)
class Settings:
    """Every setting of askposts, with its default (see the module docstring for sources)."""

    # Where things are
    model: str = "multilingual-e5-small"  # or any sentence-transformers name / folder
    cache_dir: Path = _default_cache()  # the converted model lives here, outside the repo
    site_url: str = ""  # e.g. https://redciudadana.org; empty = posts get no public URL
    max_file_bytes: int = 2_000_000  # larger Markdown files are reported and skipped
    # Storage of generations: "faiss" (files in the index folder) or "postgres" (one schema of
    # the database at database_url; every app process sharing it answers from the same index)
    backend: str = "faiss"
    database_url: str = ""  # e.g. postgresql://user:pass@host:5432/db (ASKPOSTS_DATABASE_URL)
    database_schema: str = "askposts"
    schema: SiteSchema = SiteSchema()  # which front-matter keys mean title, date, ...
    # Chunking (recorded in the index manifest; changing them rebuilds the passages)
    min_words: int = 120
    max_words: int = 250
    hard_max_words: int = 300
    # Embedding
    threads: int = 2  # torch threads, set once per process
    precision: str = "auto"  # encoder: bf16 where the CPU has it natively, else fp32
    # questions: "torch" (the bundled e5 in plain torch, no sentence-transformers import in a
    # serving process) or "sentence-transformers"; indexes are always built with the latter
    query_encoder: str = "torch"
    # Ranking and answers: weights fitted by `askposts fit` (docs/retrieval.md); empty = the
    # parameter file shipped in the package.
    answer_model: str = ""
    # The reader stage (docs/retrieval.md): "answers" reads only the replies the plain model
    # would give as answers, and the model that reads (reader_model) has the last word on them
    # (held out, confidently wrong: site 0.081 -> 0.036, SQuAD-es 0.099 -> 0.077; about a
    # quarter of questions read);
    # "all" reads every question (p50 about 4x the time per question with 12 layers);
    # "off" never reads.
    reader: str = "answers"
    reader_model: str = ""  # the answer model that reads (`askposts fit`); empty = shipped
    reader_weights: str = ""  # the reader's weights (`askposts fit-reader`); empty = shipped
    answer_threshold: float = -1.0  # < 0: the fitted threshold of the answer model
    candidates: int = 300  # passages / sentences / posts each ranker proposes to the fusion
    # Vector search: exact below ann_threshold vectors, HNSW above (recorded in the manifest;
    # benchmarks/bench_scale.py measured where exact search gets slow)
    ann_threshold: int = 100_000
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 128
    # Web
    host: str = "127.0.0.1"
    port: int = 7860
    max_question_chars: int = 500
    max_body_bytes: int = 2_000_000  # a POST body over this gets 413 before it is read
    body_wait: float = 10.0  # seconds a request body may pause between chunks (then 408)
    queue_size: int = 64  # requests that may wait for a slot (and Gradio's queue); more: 503
    slots: int = 2  # queries computing at once per process (about the cores)
    # Seconds a request may wait for a slot before a polite 503: with 50 users asking new
    # questions at once the last waited ~1.7 s (measured); wait plus work stays under 3 s.
    slot_wait: float = 2.0
    # Each client's share (serving.admission): questions a second, saved up at most, and
    # in flight at once (at most 8). A client is an address (IPv6: its /64). Over them, 429.
    client_rate: float = 5.0
    client_burst: int = 30
    client_in_flight: int = 4
    # Reverse proxies whose X-Forwarded-For names the client (addresses or networks, e.g.
    # "127.0.0.1" behind nginx on the same machine); empty: the header is never believed.
    trusted_proxies: tuple[str, ...] = ()
    cache_size: int = 1024  # question vectors and answers kept per process (0: none)
    workers: int = 1  # serving processes on one port (askposts serve --workers)
    # Question log and staff area (docs/question-log.md)
    question_log: bool = True  # keep a redacted log of questions beside the index
    question_log_days: int = 180  # rows older than this are deleted
    staff_user: str = "personal"  # user name of the staff area's login
    staff_password_hash: str = ""  # from `askposts staff-password`; empty: staff area off
    staff_token: str = ""  # bearer token for /api/questions; empty: that endpoint is off
    # The site's pages that may call /api/ask and /api/feedback from the browser (CORS), e.g.
    # "https://redciudadana.org"; comma-separated in ASKPOSTS_ALLOWED_ORIGINS. Empty: none.
    allowed_origins: tuple[str, ...] = ()
    # Secret of the CMS repository's webhook (POST /api/reindex); empty: that endpoint is off.
    reindex_secret: str = ""
    # Not an option: the names above that a config file, the environment or an explicit
    # override set (the rest are defaults). A build takes what the index recorded for the
    # options it was not given (``indexing.recorded``).
    given: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        mode = READER_WORDS.get(str(self.reader).strip().lower(), str(self.reader))
        if mode not in READER_MODES:
            raise SettingsError(msg.BAD_READER.format(value=self.reader))
        object.__setattr__(self, "reader", mode)  # yes/no of older configs: all/off
        if self.query_encoder not in QUERY_ENCODERS:
            raise SettingsError(msg.BAD_QUERY_ENCODER.format(value=self.query_encoder,
                                                             names=" o ".join(QUERY_ENCODERS)))
        for name in _AT_LEAST_ONE:
            if getattr(self, name) < 1:
                raise SettingsError(msg.NOT_POSITIVE.format(name=name, value=getattr(self, name)))
        if self.client_in_flight > MOST_IN_FLIGHT:
            raise SettingsError(msg.BAD_VALUE.format(name="client_in_flight",
                                                     value=self.client_in_flight))
        if not self.client_rate > 0:
            raise SettingsError(msg.NOT_POSITIVE.format(name="client_rate",
                                                        value=self.client_rate))
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(msg.BAD_PROXY.format(value=proxy)) from None

    @classmethod
    def load(cls, config: str | Path | None = None, env: dict | None = None,
             **overrides: object) -> "Settings":
        """Defaults < config file < environment < explicit keyword overrides."""
        env = os.environ if env is None else env
        values: dict = {}
        path = Path(config or env.get("ASKPOSTS_CONFIG") or "askposts.toml")
        if path.is_file():
            with path.open("rb") as fh:
                values.update(tomllib.load(fh))
        for name in OPTIONS:
            key = "ASKPOSTS_" + name.upper()
            if key in env:
                values[name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls().with_values(values)

    def with_values(self, values: dict) -> "Settings":
        known = set(OPTIONS)
        retired = sorted(set(values) & set(RETIRED))
        if retired:  # an old config file still opens; what it asked for no longer exists
            logging.getLogger(__name__).warning(msg.RETIRED_OPTIONS.format(
                names=", ".join(retired)))
            values = {k: v for k, v in values.items() if k not in RETIRED}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise SettingsError(msg.UNKNOWN_OPTIONS.format(names=", ".join(unknown)))
        typed = {}
        for name, value in values.items():
            try:
                typed[name] = _typed(getattr(self, name), value)
            except (TypeError, ValueError, AskpostsError) as exc:
                raise SettingsError(msg.BAD_VALUE.format(name=name, value=value)) from exc
        return replace(self, **typed, given=self.given | frozenset(typed))

    def was_given(self, name: str) -> bool:
        """Whether option ``name`` was set (config, environment, override, or a value other
        than its default) rather than left to its default."""
        return name in self.given or getattr(self, name) != _DEFAULTS[name]


OPTIONS = tuple(f.name for f in fields(Settings) if f.name != "given")
_DEFAULTS = {f.name: f.default for f in fields(Settings) if f.name != "given"}
MOST_IN_FLIGHT = 8  # client_in_flight's ceiling: the leases one client's row holds
QUERY_ENCODERS = ("torch", "sentence-transformers")
READER_MODES = ("off", "answers", "all")
# How yes and no are written in a config file or the environment (for yes/no options).
YES_NO = {"1": True, "true": True, "si": True, "sí": True, "yes": True,
          "0": False, "false": False, "no": False}
READER_WORDS = {word: "all" if yes else "off" for word, yes in YES_NO.items()}  # older: yes/no
# Options that older versions read and that are now ignored (with a warning), by version.
# 0.1: batch_size and query_batch (every text is encoded alone: embedding.base.TextEncoder).
RETIRED = ("batch_size", "query_batch")
# Counts that make no sense at 0 or below (a search with no candidates, a graph with no links).
_AT_LEAST_ONE = ("candidates", "ann_threshold", "hnsw_m", "hnsw_ef_construction",
                 "hnsw_ef_search", "client_burst", "client_in_flight")


def _typed(default: object, value: object) -> object:
    """``value`` as the type of the field's default (strings from the environment too)."""
    if isinstance(default, SiteSchema):
        return value if isinstance(value, SiteSchema) else \
            SiteSchema.from_dict(json.loads(value) if isinstance(value, str) else value)
    if isinstance(default, Path):
        return Path(value).expanduser()
    if isinstance(default, tuple):  # a list in the file, comma-separated in the environment
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(str(v).strip().rstrip("/") for v in items if str(v).strip())
    if isinstance(default, bool) and isinstance(value, str):
        if value.strip().lower() not in YES_NO:
            raise ValueError(value)
        return YES_NO[value.strip().lower()]
    return type(default)(value)
