"""Content folder -> a published index generation, re-embedding only what changed.

Every passage is keyed by a hash of the model and of the exact text it embeds; a build reuses the
vectors of the current generation for every key it already has, so unchanged posts, renamed
posts and unchanged passages of edited posts are never embedded again. The result is equal to a
full rebuild of the same folder.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._version import __version__
from ..embedding.embedder import Embedder, load_embedder, model_id
from ..posts.chunking import ChunkParams, split_post
from ..posts.corpus import load_corpus
from ..posts.windows import WindowParams, post_units, post_windows, window_text
from ..records import Post, Problem
from ..settings import Settings
from ..spanish import messages as msg
from .generation import FORMAT, Generation, IndexMismatch, passage_key
from .lexical import Analyzer
from .recorded import build_settings, settle
from .stores import Store, open_store
from .vectors import AnnParams, passage_backend

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (texts embedded so far, texts to embed)


def _checkpoint(stage: str) -> None:
    """Crash tests stop a build here (``ASKPOSTS_PAUSE_AT=stage``) and kill it with SIGKILL."""
    if os.environ.get("ASKPOSTS_PAUSE_AT") == stage:
        print(f"PAUSED {stage}", flush=True)
        time.sleep(3600)


@dataclass
class BuildReport:
    files: int = 0
    posts: int = 0
    passages: int = 0
    windows: int = 0  # answer windows (docs/retrieval.md)
    embedded: int = 0
    reused: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""
    published: bool = False
    # Options given with another value than the index recorded: {name: [recorded, now]}.
    changed: dict[str, list] = field(default_factory=dict)

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.skipped]


def _changes(report: BuildReport, old: dict[str, str], new: dict[str, str]) -> None:
    gone = {h: p for p, h in old.items() if p not in new}
    for path, digest in new.items():
        if path not in old:
            if digest in gone:
                report.renamed.append((gone.pop(digest), path))
            else:
                report.added.append(path)
        elif old[path] != digest:
            report.updated.append(path)
        else:
            report.unchanged += 1
    report.removed = sorted(gone.values())


def _fingerprint(settings: Settings, mid: str, params: ChunkParams) -> dict:
    return {"format": FORMAT, "model": mid, "chunking": params.to_dict(),
            "windows": WindowParams().to_dict(),
            "site_url": settings.site_url, "schema": settings.schema.to_dict(),
            "ann": AnnParams.of(settings).to_dict()}


def _previous(store: Store, rebuild: bool) -> Generation | None:
    if rebuild or store.current_name() is None:
        return None
    try:
        return store.load()
    except (IndexMismatch, OSError, ValueError, KeyError):
        return None  # unreadable or old format: build from scratch


def answer_windows(posts: list[Post]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every post's units ``[post, start, end]``, windows ``[first unit, units]`` (global
    unit ids, in post order) and the text each window is embedded as."""
    units, windows, texts = [], [], []
    for i, post in enumerate(posts):
        own = post_units(post)
        for first, n in post_windows(post, own):
            start, end = own[first].start, own[first + n - 1].end
            windows.append((len(units) + first, n))
            texts.append(window_text(post, start, end))
        units += [(i, u.start, u.end) for u in own]
    return (np.array(units, np.int64).reshape(-1, 3), np.array(windows, np.int64).reshape(-1, 2),
            texts)


class Builder:
    """Builds generations; keeps one embedder loaded across builds (watch mode, tests)."""

    def __init__(self, settings: Settings | None = None,
                 embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings.load()
        self._embedder = embedder
        self.analyzer = Analyzer()

    @property
    def loaded_embedder(self) -> Embedder | None:
        """The embedder if a build needed it (None when nothing was embedded)."""
        return self._embedder

    @property
    def embedder(self) -> Embedder:
        return self._embedder_for(self.settings)

    def _embedder_for(self, settings: Settings) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(settings, purpose="index")
        return self._embedder

    def build(self, content: str | Path, index_dir: str | Path, rebuild: bool = False,
              progress: Progress | None = None, wait: float = 0.0
              ) -> tuple[Generation, BuildReport]:
        """Bring ``index_dir`` up to date with ``content``; returns (Generation, BuildReport)."""
        started = time.perf_counter()
        store = open_store(self.settings, index_dir)
        with store.lock(wait):
            # What the index was built with, unless this build was told otherwise.
            settings, changed = settle(self.settings, store.manifest())
            for name, (before, now) in changed.items():
                log.warning(msg.BUILD_SETTING_CHANGED.format(name=name, before=before, now=now))
            gen, report = self._build_locked(Path(content), store, rebuild, progress, settings,
                                             changed)
            store.cleanup()
        report.seconds = round(time.perf_counter() - started, 2)
        return gen, report

    def _build_locked(self, content: Path, store: Store, rebuild: bool,
                      progress: Progress | None, s: Settings, changed: dict[str, list]):
        params = ChunkParams.of(s)
        mid = model_id(s.model) if self._embedder is None else self._embedder.model_id
        corpus = load_corpus(content, s.site_url, s.max_file_bytes, s.schema)
        _checkpoint("loaded")
        prev = _previous(store, rebuild)
        report = BuildReport(files=len(corpus.hashes) + len(corpus.problems),
                             posts=len(corpus.posts), problems=corpus.problems, changed=changed)
        report.files -= sum(1 for p in corpus.problems if not p.skipped)
        _changes(report, prev.manifest["files"] if prev else {}, corpus.hashes)
        fingerprint = _fingerprint(s, mid, params)
        if prev is not None and prev.manifest.get("fingerprint") == fingerprint \
                and prev.manifest["files"] == corpus.hashes \
                and prev.manifest.get("problems") == [p.__dict__ for p in corpus.problems]:
            report.passages, report.generation = len(prev.passages), prev.name
            report.windows = len(prev.window_keys)
            report.reused = len(prev.passages) + len(prev.window_keys)
            return prev, report

        passages = [x for post in corpus.posts for x in split_post(post, params)]
        titles = {p.path: p.title for p in corpus.posts}
        texts = [x.embedding_text(titles[x.path]) for x in passages]
        keys = [passage_key(mid, t) for t in texts]
        units, windows, window_texts = answer_windows(corpus.posts)
        window_keys = [passage_key(mid, t) for t in window_texts]
        # Passages and windows share one pool of vectors keyed by what was embedded.
        everything = self._vectors(prev, keys + window_keys, texts + window_texts,
                                   report, progress, s)
        vectors, window_vectors = everything[:len(keys)], everything[len(keys):]
        manifest = {
            "format": FORMAT, "askposts_version": __version__, "fingerprint": fingerprint,
            "model": {"id": mid, "dim": int(vectors.shape[1]),
                      # vectors are float32 whatever the encoder computed in: either mixes
                      "precision": self._embedder.precision if self._embedder is not None
                      else (prev.manifest["model"].get("precision") if prev else None)},
            "chunking": params.to_dict(),
            "site_url": s.site_url, "content_root": str(content.resolve()),
            "build": build_settings(s), "build_changed": changed,
            "files": corpus.hashes, "problems": [p.__dict__ for p in corpus.problems],
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "counts": {"posts": len(corpus.posts), "passages": len(passages),
                       "units": len(units), "windows": len(windows)},
        }
        ann = AnnParams.of(s)
        gen = Generation.assemble("", manifest, corpus.posts, passages, keys,
                                  passage_backend(vectors, ann), self.analyzer, units, windows,
                                  window_keys, window_vectors, ann=ann)
        manifest["vectors"] = {"passages": gen.vectors.params(),
                               "windows": gen.window_index.params()}
        gen.name = store.publish(gen, before=lambda: _checkpoint("writing"))
        _checkpoint("published")
        report.passages, report.generation, report.published = len(passages), gen.name, True
        report.windows = len(windows)
        return gen, report

    def _vectors(self, prev: Generation | None, keys: list[str], texts: list[str],
                 report: BuildReport, progress: Progress | None, s: Settings) -> np.ndarray:
        known: dict[str, np.ndarray] = {}
        if prev is not None and len(prev.vectors):
            stored = prev.vectors.vectors()
            known = {k: stored[i] for i, k in enumerate(prev.keys)}
            known.update(zip(prev.window_keys, prev.window_vectors))
        todo = list(dict.fromkeys(k for k in keys if k not in known))  # each text once
        if todo:
            first = {k: texts[i] for i, k in reversed(list(enumerate(keys)))}
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                _checkpoint("embedding")
                if progress:
                    progress(done, len(todo))

            texts_todo = [first[k] for k in todo]
            embedder = self._embedder_for(s)  # load the model before the progress bar starts
            if progress:
                progress(0, len(todo))
            fresh = embedder.embed_passages(texts_todo, step)
            known.update(zip(todo, fresh))
        report.embedded = len(todo)
        report.reused = len(keys) - len(todo)
        dim = len(next(iter(known.values()))) if known else self._embedder_for(s).dim
        out = np.zeros((len(keys), dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = known[k]
        return out
