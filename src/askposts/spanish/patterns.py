"""What kind of answer a question asks for, and whether a text contains one.

"¿Cuántos...?" wants a number, "¿cuándo...?" a date, "¿quién...?" a name, "¿dónde...?" a place,
"¿cuánto cuesta...?" an amount of money. A post can be on topic and still not say it. These
are signals for the fitted answer model (never vetoes on their own), and they mark the key
span of a quoted sentence.
"""
from __future__ import annotations

import re

from .words import (
    MONTH_NUMBERS,
    NUMBER_WORDS,
    WEEKDAYS,
    YEAR,
    alternation,
    fold,
    stopwords,
)

_MONTHS = alternation(MONTH_NUMBERS)

# Question patterns (on folded text), most specific first.
_ASK_PATTERNS = [
    ("money", r"\b(cuanto (le |les |se |me )?(cuesta|cuestan|vale|valen|cobra\w*|gana\w*|pag\w*|"
              r"dinero|es el salario|aporta\w*)|precio|costo|salario|monto)\b"),
    ("time", r"\b(horario|a que hora|que hora)\b"),
    ("year", r"\b(desde cuando|en que ano|que ano|en que anos|desde que ano)\b"),
    ("date", r"\b(cuando|que fecha|que fechas|en que fecha|que dia|que dias|fecha de)\b"),
    ("count", r"\b(cuant[oa]s|cuanto|numero de|puntaje|calificacion|nota|porcentaje)\b"),
    # "¿a quién está dirigido?" asks for an audience, not a name.
    ("person", r"(?<!\ba )(?<!\bpara )\b(quien|quienes)\b(?! (pueden|puede|deben|debe)\b)|"
               r"\b(que|cual|cuales) (equipo|institucion|organizacion|fundacion|empresa|entidad|"
               r"universidad|ministerio|organismo|socio|aliado|medio|partido)s?\b"),
    # "¿dónde se hizo...?" asks for a place; "¿dónde puedo ver...?" for a link.
    ("place", r"\b(donde (se )?(hizo|hara|hicieron|realiz\w*|celebr\w*|llev\w*|fue|sera|"
              r"queda|esta)|en que (ciudad|lugar|pais|departamento|municipio|sede))\b"),
    ("link", r"\b(donde (puedo |se puede |podemos |puede )?(ver|consultar|descargar|encontrar|"
             r"revisar|acceder|leer|escuchar|mirar|seguir)|donde (encuentro|veo|descargo|"
             r"consulto)|enlace|link|pagina web|sitio web|url)\b"),
]
_ASKS = [(kind, re.compile(p)) for kind, p in _ASK_PATTERNS]

_YEAR = YEAR
_HAS = {
    "money": re.compile(r"(\bq\s?\d|\$\s?\d|\b(usd|us\$|gtq)\s?\d|\d[\d.,]*\s*(quetzales|dolares|usd|euros)|"
                        r"\b(quetzales|dolares|gratuit[oa]s?|gratis|sin costo|costo)\b)"),
    "time": re.compile(r"\d{1,2}(:\d\d)?\s*(a\.?\s?m|p\.?\s?m|horas|hrs|h\b)|\b\d{1,2}:\d\d"),
    "date": re.compile(rf"\b\d{{1,2}}\s+(de\s+)?({_MONTHS})\b|"
                       rf"\b({_MONTHS})\s+(de\s+)?{_YEAR}\b|"
                       rf"\b({alternation(WEEKDAYS)})\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"),
    "year": re.compile(rf"\b{_YEAR}\b"),
    "count": re.compile(rf"(?<![\d.,/-])(?!{_YEAR}\b)\d[\d.,]*\b(?![/-]\d)|%|"
                        rf"\b({alternation(NUMBER_WORDS)})\b"),
}
_DAYS_OF_MONTH = re.compile(rf"\b\d{{1,2}}(\s*(,|y|al|-)\s*\d{{1,2}})+\s+(de\s+)?"
                            rf"({_MONTHS})\b")
_LINK = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+(\.[\w-]+)*\.(org|gt|com|net)(/\S*)?")
_PLACE = re.compile(r"\b([Ee]n|[Dd]esde|[Ss]ede)\s+(el\s+|la\s+|los\s+|las\s+)?[A-ZÁÉÍÓÚÑ]\w+|"
                    r"https?://|www\.|\w\.(org|gt|com)\b")



def asked_kind(question: str) -> str | None:
    """The kind of answer the question asks for, or None for open questions: the pattern that
    matches first in the question («¿cuántas bases tenía cuando lo lanzaron?» asks for a
    count), the more specific one on a tie."""
    text = fold(question)
    found = [(match.start(), order, kind) for order, (kind, pattern) in enumerate(_ASKS)
             if (match := pattern.search(text))]
    return min(found)[2] if found else None


_NAME_MORE = re.compile(r"\s+(?:del?\s+|la\s+)?[A-ZÁÉÍÓÚÑ][\wáéíóúñü]+")


def _name_span(text: str, words: frozenset[str]) -> tuple[int, int] | None:
    """Two capitalised words in a row, neither a stopword nor a word of the question."""
    run, start = 0, 0
    for match in re.finditer(r"[\wáéíóúñüÁÉÍÓÚÑÜ]+", text):
        token = match.group()
        folded = fold(token)
        if token[0].isupper() and folded not in stopwords() and folded not in words:
            start = match.start() if run == 0 else start
            run += 1
            if run >= 2:
                end = match.end()
                while more := _NAME_MORE.match(text, end):  # the rest of a long name
                    end = more.end()
                return start, end
        elif folded not in ("de", "del", "la"):
            run = 0
    return None


def question_words(question: str) -> frozenset[str]:
    """The question's words as ``_name_span`` compares them (folded)."""
    return frozenset(re.findall(r"\w+", fold(question)))


def name_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """Every two capitalised non-stopwords in a row (folded), as ``_name_span`` reads them.

    What does not depend on the question, kept per sentence: the text holds a name no word of
    which the question says exactly when one pair has neither word in the question.
    """
    pairs, last = [], None
    for match in re.finditer(r"[\wáéíóúñüÁÉÍÓÚÑÜ]+", text):
        token = match.group()
        folded = fold(token)
        if token[0].isupper() and folded not in stopwords():
            if last is not None:
                pairs.append((last, folded))
            last = folded
        elif folded not in ("de", "del", "la"):
            last = None
    return tuple(pairs)


def has_name(pairs: tuple[tuple[str, str], ...], words: frozenset[str]) -> bool:
    """A name none of whose words is in ``words`` (``pairs`` from ``name_pairs``)."""
    return any(a not in words and b not in words for a, b in pairs)


def has_kind(kind: str, text: str, question: str = "") -> bool:
    if kind == "person":
        return has_name(name_pairs(text), question_words(question))
    if kind == "place":
        return bool(_PLACE.search(text))
    if kind == "link":
        return bool(_LINK.search(text))
    folded = fold(text)
    if kind == "count":  # the day numbers of a date are not a count
        folded = _HAS["date"].sub(" ", _DAYS_OF_MONTH.sub(" ", folded))
    return bool(_HAS[kind].search(folded))


def key_span(kind: str | None, sentence: str, question: str = "") -> tuple[int, int] | None:
    """Where in ``sentence`` the asked-for datum is (offsets), or None."""
    if kind is None:
        return None
    if kind == "person":
        return _name_span(sentence, question_words(question))
    if kind in ("place", "link"):
        match = (_PLACE if kind == "place" else _LINK).search(sentence)
        return match.span() if match else None
    folded = fold(sentence)
    if len(folded) != len(sentence):  # a character folded into several: offsets would drift
        return None
    if kind == "count":  # blank out dates, keeping offsets, so a day is not taken for a count
        blank = lambda m: " " * len(m.group())  # noqa: E731
        folded = _HAS["date"].sub(blank, _DAYS_OF_MONTH.sub(blank, folded))
    pattern = _HAS["date"] if kind == "year" and _HAS["date"].search(folded) else _HAS[kind]
    match = pattern.search(folded)
    return match.span() if match else None
