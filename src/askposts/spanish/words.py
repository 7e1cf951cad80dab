"""Spanish word tables in one place: months, weekdays, number words, negations, stopwords.

Everything is folded (lower case, no accents, ñ -> n) like the text it is compared with; see
``fold``. Other modules build their patterns from these tables and never list words again.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

MONTHS: tuple[str, ...] = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
                           "agosto", "septiembre", "octubre", "noviembre", "diciembre")
# "setiembre" is how part of Latin America (and some of our posts) spell September.
MONTH_NUMBERS: dict[str, int] = {**{m: i for i, m in enumerate(MONTHS, 1)}, "setiembre": 9}
WEEKDAYS: tuple[str, ...] = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado",
                             "domingo")
NUMBER_WORDS: tuple[str, ...] = tuple(
    "dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince veinte "
    "treinta cuarenta cincuenta sesenta setenta ochenta noventa cien ciento doscientos "
    "trescientos quinientos mil millon millones docena decenas cientos miles mitad".split())
NEGATIONS: frozenset[str] = frozenset(
    "no nunca jamas ningun ninguna ninguno ningunos ningunas tampoco".split())
# Words that only say what kind of answer is wanted, and light verbs: never key terms.
ASKING_WORDS: frozenset[str] = frozenset(
    "cuanto cuanta cuantos cuantas cuando quien quienes donde horario hora horas fecha fechas "
    "dia dias ano anos precio costo cuesta cuestan puntaje calificacion nota porcentaje monto "
    "numero lugar ciudad hizo hicieron hicimos hace hacer hara quedo quedaron va van ir ser "
    "sera seran fue fueron era eran tiene tienen tenia puede pueden puedo podemos saber "
    "dijo dice paso".split())
YEAR = r"(?:19|20)\d\d"  # a year as people write one in these posts (regex, no groups)


def alternation(words: Iterable[str]) -> str:
    """``a|b|c`` for a regex group, longest first so that no word hides a longer one."""
    return "|".join(sorted(words, key=len, reverse=True))


def fold(text: str) -> str:
    """Lower case without accents (ñ -> n): how people type when they are in a hurry."""
    if text.isascii():  # most words: nothing to decompose (and 20x faster)
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Spanish stopwords (bm25s's list), folded like the text they are compared with."""
    from bm25s.stopwords import STOPWORDS_SPANISH

    return frozenset(fold(w) for w in STOPWORDS_SPANISH)


def spanish_date(date: str | None) -> str:
    """``2024-10-29`` -> ``29 de octubre de 2024``; a year stays a year; None -> ''."""
    if not date:
        return ""
    if len(date) >= 10:
        year, month, day = date[:10].split("-")
        return f"{int(day)} de {MONTHS[int(month) - 1]} de {year}"
    return date
