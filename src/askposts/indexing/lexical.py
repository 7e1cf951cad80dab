"""Spanish lexical ranking: BM25 (bm25s) over folded, stemmed, stopword-free tokens.

Accents are folded *before* stemming so that "alcaldias" and "alcaldías", typed either way,
reach the same stem; the Snowball Spanish stemmer (PyStemmer) then joins plural and singular
forms.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..spanish.words import fold, stopwords

if TYPE_CHECKING:
    import bm25s

_TOKEN = re.compile(r"[a-z0-9]+")


class Analyzer:
    """Text -> search terms. One instance per process (the stemmer keeps a cache)."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("spanish")
        self._stop = stopwords()

    def words(self, text: str) -> list[str]:
        """Folded words that are not stopwords (not stemmed)."""
        return [w for w in _TOKEN.findall(fold(text)) if w not in self._stop]

    def stem(self, words: list[str]) -> list[str]:
        return self._stemmer.stemWords(words)

    def terms(self, text: str) -> list[str]:
        return self._stemmer.stemWords(self.words(text))


class LexicalIndex:
    """BM25 over a list of documents; scores every document for a query."""

    def __init__(self, retriever: "bm25s.BM25", size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str], analyzer: Analyzer) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25(k1=1.2, b=0.75)
        # An empty document still needs one token for bm25s to keep ids aligned.
        tokens = [analyzer.terms(t) or ["\u2205"] for t in texts]
        # Term ids in sorted order: bm25s numbers them by iterating a set, whose order changes
        # with every process's string hashing, and the saved files would differ from one
        # build of the same texts to the next (the scores do not depend on it).
        vocab = {term: i for i, term in enumerate(sorted({t for doc in tokens for t in doc}))}
        retriever.index(([[vocab[t] for t in doc] for doc in tokens], vocab),
                        show_progress=False)
        return cls(retriever, len(texts))

    def scores(self, terms: list[str]) -> np.ndarray:
        vocab = self._retriever.vocab_dict
        known = [t for t in terms if t in vocab]
        if not known or not self.size:
            return np.zeros(self.size, np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> "LexicalIndex":
        import bm25s

        return cls(bm25s.BM25.load(str(folder), show_progress=False), size)
