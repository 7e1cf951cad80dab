"""One published index generation: what is saved in it and how it is read back."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AskpostsError
from ..posts.periods import post_periods
from ..records import Passage, Post
from ..spanish import messages as msg
from .folder import write_json
from .lexical import Analyzer, LexicalIndex
from .vectors import (
    WINDOWS_FILE,
    AnnParams,
    ArrayBackend,
    FaissBackend,
    VectorBackend,
    window_backend,
)

FORMAT = 3  # bump when the files below change shape (3: answer units and windows)


class IndexMismatch(AskpostsError, RuntimeError):
    """The index was built differently (model, dimension, format) from what is asked."""


def passage_key(model_id: str, text: str) -> str:
    """Content hash of what is embedded: equal keys reuse the same vector."""
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()[:32]


def post_document(post: Post) -> str:
    """What the whole-post lexical index reads."""
    return f"{post.title}\n{post.programme}\n{post.text}"


def document_frequency(posts: list[Post], analyzer: Analyzer) -> dict[str, int]:
    """In how many posts each search term occurs (terms in sorted order: the saved file is
    the same bytes in every process, whatever order its sets iterate in)."""
    counts: Counter[str] = Counter()
    for post in posts:
        counts.update(set(analyzer.terms(post_document(post))))
    return dict(sorted(counts.items()))


@dataclass
class Generation:
    name: str
    manifest: dict
    posts: list[Post]
    passages: list[Passage]
    keys: list[str]
    passage_post: np.ndarray  # post index of each passage
    vectors: VectorBackend
    lex_passages: LexicalIndex
    lex_posts: LexicalIndex
    units: np.ndarray  # (n, 3) int64: post index, start, end in the post's text (``windows``)
    windows: np.ndarray  # (m, 2) int64: first unit, number of units
    window_keys: list[str]
    window_vectors: np.ndarray  # (m, dim) float32, L2-normalised
    document_frequency: dict[str, int]  # in how many posts each search term occurs
    window_index: VectorBackend | None = None  # search over window_vectors (default exact)

    def __post_init__(self) -> None:
        if self.window_index is None:
            self.window_index = ArrayBackend(self.window_vectors)
        self._memo_cache: dict = {}
        self._memo_lock = threading.RLock()  # a post's memo reads its units' memos
        self._memo_analyzer = Analyzer()
        self.periods = post_periods(self.posts)
        self.post_index: dict[str, int] = {p.path: i for i, p in enumerate(self.posts)}
        self.units = self.units.reshape(-1, 3)
        self.windows = self.windows.reshape(-1, 2)
        first, count = self.windows[:, 0], self.windows[:, 1]
        self.window_post = self.units[first, 0] if len(first) else np.zeros(0, np.int64)
        self.window_start = self.units[first, 1] if len(first) else np.zeros(0, np.int64)
        self.window_end = self.units[first + count - 1, 2] if len(first) \
            else np.zeros(0, np.int64)
        # Units and windows of post i are rows first[i]:first[i + 1] (stored in post order).
        unit_post = self.units[:, 0]
        self.unit_first = np.searchsorted(unit_post, np.arange(len(self.posts) + 1))
        self.window_first = np.searchsorted(self.window_post, np.arange(len(self.posts) + 1))
        if np.any(np.diff(self.passage_post) < 0) or np.any(np.diff(unit_post) < 0) \
                or np.any(np.diff(self.window_post) < 0):
            raise IndexMismatch(msg.SECTIONS_OUT_OF_ORDER)
        self.passage_first = np.searchsorted(self.passage_post, np.arange(len(self.posts) + 1))
        # Every unit is a window of its own: the one-unit window of each unit.
        self.unit_window = np.zeros(len(self.units), np.int64)
        single = np.flatnonzero(count == 1)
        self.unit_window[first[single]] = single

    def _memo(self, name: str, key: object, compute: Callable[[], object]) -> object:
        """``compute()`` once per generation, name and key, on first use: a big corpus pays
        only for the posts its answers read. One lock: the stemmer is not thread-safe."""
        found = self._memo_cache.get((name, key))
        if found is None:
            with self._memo_lock:
                found = self._memo_cache[(name, key)] = compute()
        return found

    def post_value(self, name: str, compute: Callable[[int], object], post_idx: int) -> object:
        """``compute(post_idx)``, computed once per generation, name and post: what the answers
        read of a post's units is worked out for the whole post the first time it is a
        candidate, not again for every question."""
        return self._memo(name, post_idx, lambda: compute(post_idx))

    @property
    def unit_passage(self) -> np.ndarray:
        """Per unit: the passage that contains its start, i.e. the last passage of its post
        that starts at or before it (computed once per generation)."""
        if getattr(self, "_unit_passage", None) is None:
            if not len(self.units):
                self._unit_passage = np.zeros(0, np.int64)
                return self._unit_passage
            starts = np.array([p.start for p in self.passages], np.int64)
            span = int(max(starts.max(initial=0), self.units[:, 1].max())) + 1
            owners = self.units[:, 0]
            found = np.searchsorted(self.passage_post * span + starts,
                                    owners * span + self.units[:, 1], side="right") - 1
            first = self.passage_first[owners]
            has = self.passage_first[owners + 1] > first
            self._unit_passage = np.where(found >= first, found,
                                          np.where(has, first, 0)).astype(np.int64)
        return self._unit_passage

    def unit_terms(self, i: int) -> Counter[str]:
        """Stemmed search terms of unit ``i`` with their counts (memoised)."""
        return self._memo("terms", i, lambda: Counter(self._memo_analyzer.terms(self.unit(i))))

    def post_terms(self, post_idx: int) -> frozenset[str]:
        """Stemmed search terms of a whole post (memoised)."""
        return self._memo("post_terms", post_idx, lambda: frozenset(
            self._memo_analyzer.terms(post_document(self.posts[post_idx]))))

    def post_title_terms(self, post_idx: int) -> frozenset[str]:
        """Stemmed search terms of a post's title (memoised)."""
        return self._memo("title_terms", post_idx, lambda: frozenset(
            self._memo_analyzer.terms(self.posts[post_idx].title)))

    def unit(self, i: int) -> str:
        post_idx, start, end = self.units[i]
        return self.posts[post_idx].text[start:end]

    def window(self, w: int) -> str:
        """The text of window ``w`` (its units and what lies between them)."""
        post = self.posts[int(self.window_post[w])]
        return post.text[int(self.window_start[w]):int(self.window_end[w])]

    @property
    def model_id(self) -> str:
        return self.manifest["model"]["id"]

    @classmethod
    def assemble(cls, name: str, manifest: dict, posts: list[Post], passages: list[Passage],
                 keys: list[str], vectors: VectorBackend, analyzer: Analyzer,
                 units: np.ndarray, windows: np.ndarray, window_keys: list[str],
                 window_vectors: np.ndarray, df: dict[str, int] | None = None,
                 ann: AnnParams | None = None) -> "Generation":
        post_ids = {p.path: i for i, p in enumerate(posts)}
        titles = [posts[post_ids[p.path]].title for p in passages]
        return cls(
            name, manifest, posts, passages, keys,
            np.array([post_ids[p.path] for p in passages], dtype=np.int64), vectors,
            LexicalIndex.build([p.embedding_text(t) for p, t in zip(passages, titles)], analyzer),
            LexicalIndex.build([post_document(p) for p in posts], analyzer),
            units, windows, window_keys, window_vectors,
            df if df is not None else document_frequency(posts, analyzer),
            window_backend(window_vectors, ann) if ann is not None else None,
        )

    def save(self, folder: Path) -> None:
        write_json(folder / "posts.json", [p.to_dict() for p in self.posts])
        rows = [[int(self.passage_post[i]), p.heading, p.start, p.end, self.keys[i]]
                for i, p in enumerate(self.passages)]
        write_json(folder / "passages.json", rows)
        self.vectors.save(folder)
        self.lex_passages.save(folder / "bm25-passages")
        self.lex_posts.save(folder / "bm25-posts")
        write_json(folder / "units.json", self.units.tolist())
        write_json(folder / "windows.json",
                   [[*map(int, row), key] for row, key in zip(self.windows, self.window_keys)])
        with (folder / "windows.npy").open("wb") as fh:
            np.save(fh, self.window_vectors.astype(np.float32))
        if isinstance(self.window_index, FaissBackend):
            self.window_index.save(folder)
        write_json(folder / "df.json", self.document_frequency)
        write_json(folder / "manifest.json", self.manifest)  # last: marks the folder complete

    @classmethod
    def load(cls, folder: Path) -> "Generation":
        manifest = read_manifest(folder)
        posts = [Post.from_dict(d) for d in _read(folder / "posts.json")]
        passages, keys, owners = [], [], []
        for post_idx, heading, start, end, key in _read(folder / "passages.json"):
            post = posts[post_idx]
            passages.append(Passage(post.path, heading, start, end, post.text[start:end]))
            keys.append(key)
            owners.append(post_idx)
        rows = _read(folder / "windows.json")
        return cls(folder.name, manifest, posts, passages, keys, np.array(owners, np.int64),
                   FaissBackend.load(folder),
                   LexicalIndex.load(folder / "bm25-passages", len(passages)),
                   LexicalIndex.load(folder / "bm25-posts", len(posts)),
                   np.array(_read(folder / "units.json"), np.int64).reshape(-1, 3),
                   np.array([r[:2] for r in rows], np.int64).reshape(-1, 2),
                   [r[2] for r in rows], np.load(folder / "windows.npy"),
                   _read(folder / "df.json"),
                   FaissBackend.load(folder, WINDOWS_FILE)
                   if (folder / WINDOWS_FILE).exists() else None)


def _read(path: Path):
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def read_manifest(folder: Path) -> dict:
    manifest = _read(folder / "manifest.json")
    if manifest.get("format") != FORMAT:
        raise IndexMismatch(msg.OLD_FORMAT.format(where=folder.parent,
                                                  format=manifest.get("format"),
                                                  how=f"--index {folder.parent}"))
    return manifest
