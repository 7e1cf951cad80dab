"""askposts: ask questions in Spanish about an organisation's posts, get cited answers.

    import askposts
    index = askposts.build_index("content/", "index/")
    hits = index.search("¿qué es justicia abierta?", k=5)
"""
__version__ = "0.1.0"

from .corpus import ContentMissing  # noqa: E402
from .errors import AskpostsError  # noqa: E402
from .filters import FilterError  # noqa: E402
from .generation import IndexMismatch  # noqa: E402
from .index import Index, QueryError, build_index, open_index  # noqa: E402
from .model import AnswerModel, ModelError  # noqa: E402
from .records import Answer, Hit, Passage, Post, Problem  # noqa: E402
from .settings import Settings, SettingsError  # noqa: E402
from .store import IndexBusy, IndexMissing  # noqa: E402

__all__ = ["Answer", "AnswerModel", "AskpostsError", "ContentMissing", "FilterError", "Hit",
           "Index", "IndexBusy", "IndexMismatch", "IndexMissing", "ModelError", "Passage",
           "Post", "Problem", "QueryError", "Settings", "SettingsError", "build_index",
           "open_index", "__version__"]
