"""Is this question a follow-up of the previous one? («¿y cuándo fue?», «¿quiénes más?»)

A follow-up leans on the conversation: it starts with «y», points back («eso», «ahí»,
«ellos»), or names almost nothing of its own (at most one content word). Then askposts reads
it together with the previous question and looks first in the posts the previous answer cited.
"""
from __future__ import annotations

import re

from ..indexing.lexical import Analyzer
from ..spanish.words import ASKING_WORDS, fold

_POINTS_BACK = re.compile(r"^\W*(y|e|pero|entonces|tambien)\b|\b(eso|esa|ese|esos|esas|ahi|"
                          r"alli|ellos|ellas|dicho|dicha)\b|"
                          r"\b(quien|quienes|que|cual|cuales|cuant\w+|donde|cuando) mas\b")


def is_follow_up(question: str, analyzer: Analyzer) -> bool:
    content = [w for w in analyzer.words(question) if w not in ASKING_WORDS]
    return bool(_POINTS_BACK.search(fold(question))) or len(content) <= 1
