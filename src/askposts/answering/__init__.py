"""Answering: a question -> hits -> a graded answer with cited, verbatim quotes.

The stages, in order: ``query`` parses the question once; ``rank`` scores posts and passages
(fused signals); ``candidates`` gathers the answer windows of the best posts and ``features``
scores them; ``judge`` chooses and trims the quote and ``verdict`` grades the reply (answer,
near, none); ``judges`` says which models judge (by default the one that reads, with
``reader`` and ``reading``, checks what the plain one would answer); ``quote`` writes the
Spanish reply; ``followup`` reads a question in the light of the previous one. ``model`` is
the fitted model file all of them read; ``arrays`` holds small numpy helpers.
"""
