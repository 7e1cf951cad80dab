"""askposts: ask questions in Spanish about an organisation's posts, get cited answers.

    import askposts
    index = askposts.build_index("content/", "index/")
    hits = index.search("¿qué es justicia abierta?", k=5)
"""
__version__ = "0.1.0"

from .index import Index, QueryError, build_index, open_index  # noqa: E402
from .records import Answer, Hit, Passage, Post, Problem  # noqa: E402
from .settings import Settings  # noqa: E402

__all__ = ["Answer", "Hit", "Index", "Passage", "Post", "Problem", "QueryError", "Settings",
           "build_index", "open_index", "__version__"]
