"""Spanish analysis and BM25, checked against a plain reference implementation."""
import math

import numpy as np
import pytest

from askposts.indexing.lexical import Analyzer, LexicalIndex
from askposts.spanish.words import fold


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def test_fold_removes_accents_and_case():
    assert fold("Alcaldías ÑANDÚ Índice") == "alcaldias nandu indice"


def test_accents_and_plurals_reach_the_same_terms(analyzer):
    assert analyzer.terms("alcaldías publicación") == analyzer.terms("ALCALDIAS publicacion")
    assert analyzer.terms("contrataciones") == analyzer.terms("contratación")
    assert analyzer.terms("¿Qué es la justicia de los datos?") == analyzer.terms("justicia datos")


def reference_bm25(docs, query, k1=1.2, b=0.75):
    """BM25 as Lucene (>= 8) computes it, the variant bm25s implements by default: the Lucene
    idf, and no (k1 + 1) factor in the numerator (it does not change the ranking)."""
    n, avg = len(docs), sum(map(len, docs)) / len(docs)
    scores = []
    for doc in docs:
        s = 0.0
        for term in set(query):
            df = sum(term in d for d in docs)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = doc.count(term)
            s += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avg))
        scores.append(s)
    return np.array(scores)


def test_bm25_matches_reference(analyzer):
    texts = ["El portal de datos abiertos de Finanzas", "Datos, datos y más datos abiertos",
             "Justicia abierta en Guatemala", "Guía para pedir información pública", ""]
    index = LexicalIndex.build(texts, analyzer)
    query = analyzer.terms("datos abiertos de justicia")
    docs = [analyzer.terms(t) or ["\u2205"] for t in texts]
    np.testing.assert_allclose(index.scores(query), reference_bm25(docs, query), rtol=1e-5)


def test_unknown_terms_score_zero_and_round_trip(analyzer, tmp_path):
    index = LexicalIndex.build(["árbol", "niño pequeño"], analyzer)
    assert index.scores(analyzer.terms("zzz")).tolist() == [0.0, 0.0]
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25", 2)
    np.testing.assert_allclose(loaded.scores(analyzer.terms("nino")), index.scores(["nin"]))
    assert loaded.scores(analyzer.terms("niño"))[1] > 0
