"""The index: posts -> an immutable generation, stored and published atomically.

``builder`` embeds what changed (vectors reused by content hash) and writes a ``generation``:
posts, passages, windows, their ``vectors`` (exact arrays or FAISS HNSW) and the ``lexical``
(BM25) index. Where generations live is a store chosen by name in ``stores``: a ``folder`` on
disk or ``postgres``.
"""
