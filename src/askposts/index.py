"""The public ``Index``: open a published generation, search it, follow new generations."""
from __future__ import annotations

import copy
import os
import threading
from pathlib import Path

import numpy as np

from .answer import compose
from .confidence import Decision, judge
from .embedding import Embedder, model_id
from .errors import AskpostsError
from .filters import post_mask
from .evidence import asked_kind
from .features import CANDIDATE_POSTS, question_info
from .followup import is_follow_up
from .generation import Generation, IndexMismatch
from .indexer import Builder, BuildReport, Progress
from .lexical import Analyzer
from .serving import LRU
from .model import AnswerModel
from .periods import mentioned_periods
from .records import Answer, Hit, Post
from .retrieve import QueryScores, make_hit, score, top_posts
from .settings import Settings
from .store import POINTER, IndexFolder


class QueryError(AskpostsError, ValueError):
    """A question that cannot be searched (message in Spanish)."""


class Index:
    """A searchable index folder. Thread-safe; switches to newly published generations."""

    def __init__(self, folder: str | Path, settings: Settings | None = None,
                 embedder: Embedder | None = None, auto_reload: bool = True) -> None:
        self.settings = settings or Settings.load()
        self.folder = IndexFolder(folder)
        self.auto_reload = auto_reload
        self.report: BuildReport | None = None
        self._embedder = embedder
        self._analyzer = Analyzer()
        self._model: AnswerModel | None = None
        # Repeated questions (a public chat sees many) skip the encoder, and whole answers
        # are reused while the generation they came from is the published one.
        self._vectors = LRU(self.settings.cache_size)
        self._results = LRU(self.settings.cache_size)
        self._lock = threading.Lock()
        self._pointer_stamp = None
        self._gen = self._load()

    # -- generations -------------------------------------------------------------------------
    def _stamp(self):
        try:
            st = os.stat(self.folder.path / POINTER)
            return st.st_mtime_ns, st.st_ino, st.st_size
        except FileNotFoundError:
            return None

    def _load(self) -> Generation:
        stamp = self._stamp()
        gen = Generation.load(self.folder.current())
        wanted = model_id(self.settings.model)
        if gen.model_id != wanted:
            raise IndexMismatch(
                f"El índice en {self.folder.path} se construyó con el modelo {gen.model_id} "
                f"({gen.manifest['model']['dim']} dimensiones), no con {wanted}. "
                f"Reconstrúyalo con: askposts index CONTENIDO --index {self.folder.path} "
                "--rebuild")
        if self._embedder is not None and self._embedder.dim != gen.manifest["model"]["dim"]:
            raise IndexMismatch(
                f"El modelo cargado da vectores de {self._embedder.dim} dimensiones y el índice "
                f"tiene {gen.manifest['model']['dim']}; reconstruya el índice con --rebuild.")
        self._pointer_stamp = stamp
        return gen

    def refresh(self) -> bool:
        """Switch to a newer published generation, if any; True when it switched."""
        if self._stamp() == self._pointer_stamp:
            return False
        with self._lock:
            if self._stamp() == self._pointer_stamp:
                return False
            name = self.folder.current_name()
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
        return self._embedder is not None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    s = self.settings
                    self._embedder = Embedder.from_settings(s)
        return self._embedder

    @property
    def model(self) -> AnswerModel:
        if self._model is None:
            self._model = AnswerModel.load(self.settings.answer_model or None)
        return self._model

    # -- search ------------------------------------------------------------------------------
    def _check(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise QueryError("La pregunta está vacía.")
        if len(question) > self.settings.max_question_chars:
            raise QueryError(f"La pregunta es demasiado larga (máximo "
                             f"{self.settings.max_question_chars} caracteres).")
        return question

    def scores(self, question: str, collections=None, since=None, until=None,
               programmes=None, qvec: np.ndarray | None = None
               ) -> tuple[Generation, QueryScores]:
        """Every ranker's scores for ``question`` (for callers that judge or explain)."""
        question = self._check(question)
        gen = self.generation
        mask = post_mask(gen.posts, collections, since, until, programmes)
        if qvec is None:
            qvec = self.query_vector(question)
        return gen, score(gen, qvec, self._analyzer.terms(question), self.model.fusion, mask,
                          mentioned_periods(question))

    def query_vector(self, question: str) -> np.ndarray:
        """The question's vector, from the cache when it was asked before."""
        vec = self._vectors.get(question)
        if vec is None:
            vec = self.embedder.embed_query(question)
            self._vectors.put(question, vec)
        return vec

    def _cached(self, kind: str, key: tuple, compute):
        """``compute()`` unless this exact query was answered on the current generation."""
        full = (self.generation.name, kind, *key)
        found = self._results.get(full)
        if found is None:
            found = compute()
            self._results.put(full, found)
        return copy.deepcopy(found)  # callers may change what they get

    def search(self, question: str, k: int = 10, collections=None, since=None,
               until=None, programmes=None) -> list[Hit]:
        """The ``k`` best distinct posts for ``question``, best first.

        Filters: ``collections`` and ``programmes`` (names or lists of names), ``since`` and
        ``until`` (``AAAA``, ``AAAA-MM``, ``AAAA-MM-DD`` or dates, inclusive).
        """
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise QueryError("k debe ser un número entero mayor que 0.")
        def compute():
            gen, sc = self.scores(question, collections, since, until, programmes)
            return [make_hit(gen, sc, p, r) for r, p in enumerate(top_posts(sc, k), 1)]

        return self._cached("search", (question, k, _key(collections), since, until,
                                       _key(programmes)), compute)

    def _judged(self, question: str, k: int, filters: dict, history=()):
        """Rank, then judge: the one path behind ``ask``, ``answers`` and ``search_and_judge``."""
        question = self._check(question)
        previous = [self._check(h) for h in history or () if h and str(h).strip()]
        follow_up = bool(previous) and is_follow_up(question, self._analyzer)
        query = f"{previous[-1]} {question}" if follow_up else question
        gen, sc = self.scores(query, **filters)
        top = top_posts(sc, max(k, CANDIDATE_POSTS))
        if follow_up:  # the posts the previous answer cited come first
            cited = [p for p in self._cited(previous[-1], filters) if np.isfinite(sc.fused[p])]
            top = cited + [p for p in top if p not in cited]
        info = question_info(query, gen, self._analyzer)
        if follow_up:  # the kind of answer is the one the new question asks for
            info.kind, info.text = asked_kind(question), question
        threshold = self.settings.answer_threshold
        judged = judge(gen, info, top, sc, self.model,
                       None if threshold < 0 else threshold)
        hits = [make_hit(gen, sc, p, r) for r, p in enumerate(top[:k], 1)]
        if follow_up:
            judged.decision.signals["seguimiento_de"] = previous[-1]
        return gen, hits, info, judged

    def _cited(self, question: str, filters: dict) -> list[int]:
        """Post indexes the answer to ``question`` cites (best first; cached like ``ask``)."""
        index_of = self.generation.post_index
        return [index_of[h.path] for h in self.ask(question, **filters).citations
                if h.path in index_of]

    def search_and_judge(self, question: str, k: int = 10, collections=None, since=None,
                         until=None, programmes=None, history=()) -> tuple[list[Hit], Decision]:
        """``search`` plus the decision of whether the corpus answers the question."""
        filters = {"collections": collections, "since": since, "until": until,
                   "programmes": programmes}
        _, hits, _, judged = self._judged(question, k, filters, history)
        return hits, judged.decision

    def ask(self, question: str, collections=None, since=None, until=None,
            programmes=None, history=()) -> Answer:
        """An extractive answer in Spanish citing numbered excerpts (see ``answer``).

        ``history``: the conversation's earlier questions, oldest first; a follow-up such as
        «¿y cuándo fue?» is read with the previous question and the posts its answer cited.
        """
        filters = {"collections": collections, "since": since, "until": until,
                   "programmes": programmes}

        def compute():
            gen, hits, info, judged = self._judged(question, 5, filters, history)
            return compose(info, gen, hits, judged)

        return self._cached("ask", (question, _key(collections), since, until,
                                    _key(programmes), tuple(history or ())), compute)

    def answers(self, question: str, collections=None, since=None, until=None,
                programmes=None, history=()) -> bool:
        """Does the corpus answer ``question``? (see docs/retrieval.md for how it decides)"""
        return self.search_and_judge(question, 5, collections, since, until, programmes,
                                     history)[1].found

    def facets(self) -> dict:
        """Collections, programmes and years present in the index (for filter menus)."""
        posts = self.generation.posts
        years = {int(p.date[:4]) for p in posts if p.date} | {y for p in posts for y in p.years}
        return {"collections": sorted({p.collection for p in posts if p.collection}),
                "programmes": sorted({p.programme for p in posts if p.programme}),
                "years": sorted(years)}

    def __len__(self) -> int:
        return len(self.generation.posts)


def _key(values) -> tuple | str | None:
    """A filter value as a cache key (lists are not hashable)."""
    if values is None or isinstance(values, str):
        return values
    return tuple(values)


def build_index(content: str | Path, index_dir: str | Path = "index",
                settings: Settings | None = None, rebuild: bool = False,
                progress: Progress | None = None, embedder: Embedder | None = None) -> Index:
    """Build (or bring up to date) the index of ``content``; returns the opened ``Index``."""
    builder = Builder(settings, embedder)
    _, report = builder.build(content, index_dir, rebuild=rebuild, progress=progress)
    index = Index(index_dir, builder.settings, builder.loaded_embedder)
    index.report = report
    return index


def open_index(index_dir: str | Path = "index", settings: Settings | None = None,
               embedder: Embedder | None = None) -> Index:
    """Open a built index folder."""
    return Index(index_dir, settings, embedder)
