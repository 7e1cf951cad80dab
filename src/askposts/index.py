"""The public ``Index``: open a published generation, search it, follow new generations."""
from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .answering.candidates import CANDIDATE_POSTS
from .answering.followup import is_follow_up
from .answering.judge import Decision, Judgement, judge
from .answering.judges import Judges, judges_for
from .answering.model import AnswerModel
from .answering.query import Query, QueryError, checked_question
from .answering.quote import compose
from .answering.rank import QueryScores, make_hit, score, top_posts
from .answering.reader import Reader, load_reader
from .caching import LRU
from .embedding.embedder import Embedder, load_embedder, model_id
from .embedding.inflight import QuestionVectors
from .filters import Filters, facets_of
from .indexing.folder import IndexFolder
from .indexing.generation import Generation, IndexMismatch
from .indexing.lexical import Analyzer
from .indexing.recorded import settle
from .indexing.stores import open_store
from .records import Answer, Hit, Post
from .settings import Settings
from .spanish import messages as msg
from .spanish.messages import BAD_K

if TYPE_CHECKING:  # the builder is imported only by build_index: serving never loads it
    from .indexing.builder import BuildReport, Progress


class Index:
    """A searchable index folder. Thread-safe; switches to newly published generations."""

    def __init__(self, folder: str | Path, settings: Settings | None = None,
                 embedder: Embedder | None = None, auto_reload: bool = True,
                 generation: Generation | None = None, reader: Reader | None = None) -> None:
        """Open ``folder``; ``generation``: the one a build just published (not re-read)."""
        self.settings = settings or Settings.load()
        self.folder = IndexFolder(folder)  # local files (the question log) live here
        self.store = open_store(self.settings, folder)
        self.auto_reload = auto_reload
        self.report: "BuildReport | None" = None
        self._embedder, self._reader = embedder, reader
        self._analyzer = Analyzer()
        self._judges: Judges | None = None
        # Repeated questions (a public chat sees many) skip the encoder, and whole answers
        # are reused while the generation they came from is the published one.
        self._vectors = LRU(self.settings.cache_size)
        self._questions = QuestionVectors(lambda text: self.embedder.embed_query(text),
                                          self._vectors)
        self._results = LRU(self.settings.cache_size)
        self._lock = threading.Lock()
        self._pointer_stamp = None
        # The model (and the rest) the index was built with, unless told otherwise.
        self.settings = settle(self.settings, generation.manifest if generation is not None
                               else self.store.manifest())[0]
        self._gen = self._load(generation)

    # -- generations -------------------------------------------------------------------------
    def _stamp(self):
        return self.store.stamp()

    def _load(self, gen: Generation | None = None) -> Generation:
        stamp = self._stamp()
        if gen is None or gen.name != self.store.current_name():
            gen = self.store.load()
        wanted = self._embedder.model_id if self._embedder is not None \
            else model_id(self.settings.model)
        if gen.model_id != wanted:
            raise IndexMismatch(msg.OTHER_MODEL.format(
                where=self.store.where, built=gen.model_id, dim=gen.manifest["model"]["dim"],
                wanted=wanted, folder=self.folder.path))
        if self._embedder is not None and self._embedder.dim != gen.manifest["model"]["dim"]:
            raise IndexMismatch(msg.OTHER_DIM.format(loaded=self._embedder.dim,
                                                     dim=gen.manifest["model"]["dim"]))
        self._pointer_stamp = stamp
        return gen

    def refresh(self) -> bool:
        """Switch to a newer published generation, if any; True when it switched."""
        if self._stamp() == self._pointer_stamp:
            return False
        with self._lock:
            if self._stamp() == self._pointer_stamp:
                return False
            name = self.store.current_name()
            if name is None or name == self._gen.name:
                self._pointer_stamp = self._stamp()
                return False
            self._gen = self._load()  # readers keep the old one until this assignment
            return True

    @property
    def generation(self) -> Generation:
        if self.auto_reload:
            self.refresh()
        return self._gen

    @property
    def posts(self) -> list[Post]:
        return self.generation.posts

    @property
    def has_embedder(self) -> bool:
        """Whether the encoder is loaded already (health checks must not load it)."""
        return self._embedder is not None

    @property
    def embedder(self) -> Embedder:
        """The encoder, loaded on first use (once, whatever the number of threads)."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = load_embedder(self.settings)
        return self._embedder

    @property
    def judges(self) -> Judges:
        """The answer models that judge questions (``settings.reader`` says which)."""
        if self._judges is None:
            self._judges = judges_for(self.settings)
        return self._judges

    @property
    def model(self) -> AnswerModel:
        """The answer model that judges every question."""
        return self.judges.model

    @property
    def reader(self) -> Reader | None:
        """The answer models' reader (None if they read none), loaded on first use."""
        if self._reader is None and self.judges.read:
            embedder = self.embedder
            with self._lock:
                if self._reader is None:
                    self._reader = load_reader(self.settings, embedder)
        return self._reader

    # -- the question's stages ---------------------------------------------------------------
    def _check(self, question: str) -> str:
        return checked_question(question, self.settings.max_question_chars)

    def _query(self, gen: Generation, question: str, previous: str | None = None,
               qvec: np.ndarray | None = None) -> Query:
        """Parse: the question read once against ``gen`` (a follow-up with ``previous``)."""
        text = f"{previous} {question}" if previous else question
        vector = self.query_vector(text) if qvec is None else qvec
        return Query.parse(question, gen, self._analyzer, vector, previous)

    def _rank(self, gen: Generation, query: Query, filters: Filters | None) -> QueryScores:
        """Rank: every ranker's scores and the fused post scores on ``gen``."""
        mask = (filters or Filters()).mask(gen.posts)
        return score(gen, query, self.model.fusion, mask, self.settings.candidates)

    def scores(self, question: str, filters: Filters | None = None,
               qvec: np.ndarray | None = None) -> tuple[Generation, QueryScores]:
        """Every ranker's scores for ``question`` (for callers that judge or explain)."""
        gen = self.generation
        query = self._query(gen, self._check(question), qvec=qvec)
        return gen, self._rank(gen, query, filters)

    def query_vector(self, question: str) -> np.ndarray:
        """The question's vector: from the cache when it was asked before, else encoded
        alone (once, however many ask it at the same moment: ``inflight``)."""
        return self._questions.vector(question)

    def clear_caches(self) -> None:
        """Forget cached question vectors and answers (the next ones are computed afresh)."""
        self._vectors.clear()
        self._results.clear()

    def cached_vector(self, question: str) -> np.ndarray | None:
        """The question's vector if it was computed already (never runs the encoder)."""
        return self._vectors.get(question)

    def _cached(self, gen: Generation, kind: str, key: tuple, compute):
        """``compute()`` unless this exact query was answered on generation ``gen``."""
        full = (gen.name, kind, *key)
        found = self._results.get(full)
        if found is None:
            found = compute()
            self._results.put(full, found)
        return copy.deepcopy(found)  # callers may change what they get

    def search(self, question: str, k: int = 10, filters: Filters | None = None,
               **by: object) -> list[Hit]:
        """The ``k`` best distinct posts for ``question``, best first.

        ``filters``: a ``Filters`` value, or the same as keywords: ``collections`` and
        ``programmes`` (names or lists of names), ``since`` and ``until`` (``AAAA``,
        ``AAAA-MM``, ``AAAA-MM-DD`` or dates, inclusive).
        """
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise QueryError(BAD_K)
        filters = Filters.of(filters, **by)
        gen = self.generation

        def compute():
            query = self._query(gen, self._check(question))
            sc = self._rank(gen, query, filters)
            return [make_hit(gen, sc, p, r) for r, p in enumerate(top_posts(sc, k), 1)]

        return self._cached(gen, "search", (question, k, filters), compute)

    def _judged(self, gen: Generation, question: str, k: int, filters: Filters, history=()
                ) -> tuple[Query, list[Hit], Judgement]:
        """Parse, rank, judge on one generation: the path behind ``ask``, ``answers`` and
        ``search_and_judge``."""
        question = self._check(question)
        previous = [self._check(h) for h in history or () if h and str(h).strip()]
        follow_up = bool(previous) and is_follow_up(question, self._analyzer)
        query = self._query(gen, question, previous[-1] if follow_up else None)
        sc = self._rank(gen, query, filters)
        top = top_posts(sc, max(k, CANDIDATE_POSTS))
        if follow_up:  # the posts the previous answer cited come first
            cited = [p for p in self._cited(gen, previous[-1], filters)
                     if np.isfinite(sc.fused[p])]
            top = cited + [p for p in top if p not in cited]
        threshold = self.settings.answer_threshold
        judged = judge(gen, query, top, sc, self.model, None if threshold < 0 else threshold,
                       self.reader, self.judges.checker)
        hits = [make_hit(gen, sc, p, r) for r, p in enumerate(top[:k], 1)]
        if follow_up:
            judged.decision.signals["seguimiento_de"] = previous[-1]
        return query, hits, judged

    def _answer(self, gen: Generation, question: str, filters: Filters,
                history: Sequence[str] = ()) -> Answer:
        def compute():
            query, hits, judged = self._judged(gen, question, CANDIDATE_POSTS, filters, history)
            return compose(query, gen, hits, judged)

        return self._cached(gen, "ask", (question, filters, tuple(history or ())), compute)

    def _cited(self, gen: Generation, question: str, filters: Filters) -> list[int]:
        """Post indexes the answer to ``question`` on ``gen`` cites (best first)."""
        return [gen.post_index[h.path] for h in self._answer(gen, question, filters).citations
                if h.path in gen.post_index]

    def search_and_judge(self, question: str, k: int = 10, filters: Filters | None = None,
                         history: Sequence[str] = (), **by: object
                         ) -> tuple[list[Hit], Decision]:
        """``search`` plus the decision of whether the corpus answers the question."""
        _, hits, judged = self._judged(self.generation, question, k, Filters.of(filters, **by),
                                       history)
        return hits, judged.decision

    def ask(self, question: str, filters: Filters | None = None,
            history: Sequence[str] = (), **by: object) -> Answer:
        """An extractive answer in Spanish citing numbered excerpts (see ``answer``).

        ``filters`` as in ``search``. ``history``: the conversation's earlier questions,
        oldest first; a follow-up such as «¿y cuándo fue?» is read with the previous question
        and the posts its answer cited.
        """
        # One generation for the whole request, the previous question's answer included.
        return self._answer(self.generation, question, Filters.of(filters, **by), history)

    def answers(self, question: str, filters: Filters | None = None,
                history: Sequence[str] = (), **by: object) -> bool:
        """Does the corpus answer ``question``? (see docs/retrieval.md for how it decides)"""
        return self.search_and_judge(question, 5, filters, history, **by)[1].found

    def facets(self) -> dict:
        """Collections, programmes and years present in the index (for filter menus)."""
        return facets_of(self.generation.posts)

    def __len__(self) -> int:
        return len(self.generation.posts)


def build_index(content: str | Path, index_dir: str | Path = "index",
                settings: Settings | None = None, rebuild: bool = False,
                progress: "Progress | None" = None, embedder: Embedder | None = None) -> Index:
    """Build (or bring up to date) the index of ``content``; returns the opened ``Index``."""
    from .indexing.builder import Builder

    builder = Builder(settings, embedder)
    gen, report = builder.build(content, index_dir, rebuild=rebuild, progress=progress)
    index = Index(index_dir, builder.settings, builder.loaded_embedder, generation=gen)
    index.report = report
    return index


def open_index(index_dir: str | Path = "index", settings: Settings | None = None,
               embedder: Embedder | None = None) -> Index:
    """Open a built index folder."""
    return Index(index_dir, settings, embedder)
