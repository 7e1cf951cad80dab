"""One published index generation: what is saved in it and how it is read back."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .backend import FaissBackend, VectorBackend
from .lexical import Analyzer, LexicalIndex
from .periods import post_periods
from .records import Passage, Post
from .store import write_json

FORMAT = 1  # bump when the files below change shape


class IndexMismatch(RuntimeError):
    """The index was built differently (model, dimension, format) from what is asked."""


def passage_key(model_id: str, text: str) -> str:
    """Content hash of what is embedded: equal keys reuse the same vector."""
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()[:32]


def post_document(post: Post) -> str:
    """What the whole-post lexical index reads."""
    return f"{post.title}\n{post.programme}\n{post.text}"


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

    def __post_init__(self) -> None:
        self.periods = post_periods([p.date for p in self.posts], [p.years for p in self.posts])
        self._document_frequency: dict[str, int] | None = None
        self.by_path: dict[str, Post] = {p.path: p for p in self.posts}

    @property
    def document_frequency(self) -> dict[str, int]:
        """In how many posts each search term occurs (computed on first use)."""
        if self._document_frequency is None:
            analyzer, counts = Analyzer(), {}
            for post in self.posts:
                for term in set(analyzer.terms(post_document(post))):
                    counts[term] = counts.get(term, 0) + 1
            self._document_frequency = counts
        return self._document_frequency

    @property
    def model_id(self) -> str:
        return self.manifest["model"]["id"]

    @classmethod
    def assemble(cls, name: str, manifest: dict, posts: list[Post], passages: list[Passage],
                 keys: list[str], vectors: VectorBackend, analyzer: Analyzer) -> "Generation":
        post_ids = {p.path: i for i, p in enumerate(posts)}
        titles = [posts[post_ids[p.path]].title for p in passages]
        return cls(
            name, manifest, posts, passages, keys,
            np.array([post_ids[p.path] for p in passages], dtype=np.int64), vectors,
            LexicalIndex.build([p.embedding_text(t) for p, t in zip(passages, titles)], analyzer),
            LexicalIndex.build([post_document(p) for p in posts], analyzer),
        )

    def save(self, folder: Path) -> None:
        write_json(folder / "posts.json", [p.to_dict() for p in self.posts])
        rows = [[int(self.passage_post[i]), p.heading, p.start, p.end, self.keys[i]]
                for i, p in enumerate(self.passages)]
        write_json(folder / "passages.json", rows)
        self.vectors.save(folder)
        self.lex_passages.save(folder / "bm25-passages")
        self.lex_posts.save(folder / "bm25-posts")
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
        return cls(folder.name, manifest, posts, passages, keys, np.array(owners, np.int64),
                   FaissBackend.load(folder),
                   LexicalIndex.load(folder / "bm25-passages", len(passages)),
                   LexicalIndex.load(folder / "bm25-posts", len(posts)))


def _read(path: Path):
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def read_manifest(folder: Path) -> dict:
    manifest = _read(folder / "manifest.json")
    if manifest.get("format") != FORMAT:
        raise IndexMismatch(
            f"El índice en {folder.parent} tiene un formato antiguo ({manifest.get('format')}); "
            f"reconstrúyalo con: askposts index CONTENIDO --index {folder.parent} --rebuild")
    return manifest
