"""askposts: ask questions in Spanish about an organisation's posts, get cited answers.

    import askposts
    index = askposts.build_index("content/", "index/")
    hits = index.search("¿qué es justicia abierta?", k=5)
    answer = index.ask("¿cuándo fue el taller?", askposts.Filters.parse(since="2023"))
"""
from ._version import __version__ as __version__
from .answering.model import AnswerModel, ModelError
from .embedding.embedder import Embedder
from .embedding.hashed import HashEmbedder
from .errors import AskpostsError
from .filters import FilterError, Filters
from .index import Index, QueryError, build_index, open_index
from .indexing.folder import IndexBusy, IndexMissing
from .indexing.generation import IndexMismatch
from .posts.corpus import ContentMissing
from .posts.schema import SiteSchema
from .records import Answer, Hit, Passage, Period, Post, Problem
from .serving.gate import Busy
from .settings import Settings, SettingsError

__all__ = ["Answer", "AnswerModel", "AskpostsError", "Busy", "ContentMissing", "Embedder",
           "FilterError", "Filters", "HashEmbedder", "Hit", "Index", "IndexBusy",
           "IndexMismatch", "IndexMissing", "ModelError", "Passage", "Period", "Post",
           "Problem", "QueryError", "Settings", "SettingsError", "SiteSchema", "build_index",
           "open_index"]
