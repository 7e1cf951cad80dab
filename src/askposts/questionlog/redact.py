"""Personal data out of questions before anything is written: e-mails, phones, DPI, NIT, cards.

People type their own details into a public chat («mi DPI es 2456 78901 0101, ¿me pueden
llamar al 5512-3456?»). The question log keeps what was asked, never who asked: every match
is replaced by a tag such as ``[correo]``. Years, dates and amounts in quetzales are left as
they are (they say what was asked about).
"""
from __future__ import annotations

import re

# Not part of a longer number, an amount (Q 1,500 / $20) or a date (12/05/2024, 2024-05-12).
_START = r"(?<![\w.,/$-])(?<!\bQ )(?<!\bQ\. )"
_END = r"(?![\w/-]|[.,]\d)"
_AMOUNT_AFTER = r"(?!\s*(?:quetzales|dólares|dolares|usd|gtq|euros|mil\b|millones))"
_TWO_YEARS = r"(?!(?:19|20)\d\d[\s-]?(?:19|20)\d\d\b)"  # «2023-2024» is a period, not a phone

PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple((tag, re.compile(p, re.I)) for tag, p in (
    # A link with a query string can carry a name, a token or an e-mail; a plain link stays.
    ("[enlace]", r"\b(?:https?://|www\.)[^\s?#]+\?\S*"),
    ("[correo]", r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    # NIT: digits, a dash and a check digit (0-9 or K), or the word NIT before the number.
    ("[nit]", r"(?<=\bnit)\s*(?:[:#]|no\.?|número)?\s*\d[\d.-]*[\dk]\b|"
              r"" + _START + r"\d{6,9}-[\dk]" + _END),
    # DPI / CUI: 13 digits, alone or grouped 4-5-4.
    ("[dpi]", _START + r"\d{4}[\s-]?\d{5}[\s-]?\d{4}" + _END),
    # Card-like numbers: 14 to 19 digits, alone or in groups of four.
    ("[tarjeta]", _START + r"(?:\d{4}[\s-]){3}\d{1,7}" + _END + "|"
                  + _START + r"\d{14,19}" + _END),
    # International numbers: +502 5512 3456, +1 (555) 123-4567, 00502 55123456.
    ("[teléfono]", r"(?<![\w+])(?:\+|00)\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?"
                   r"\d{2,4}(?:[\s.-]?\d{2,4}){1,3}" + _END),
    # Guatemalan numbers: 8 digits starting 2-7, written 5512-3456, 5512 3456 or 55123456.
    ("[teléfono]", _START + _TWO_YEARS + r"(?:\(502\)\s?)?[2-7]\d{3}[\s-]?\d{4}" + _END
                   + _AMOUNT_AFTER),
))


def redact(text: str) -> str:
    """``text`` with personal data replaced by tags; everything else untouched."""
    for tag, pattern in PATTERNS:
        text = pattern.sub(tag if tag != "[nit]" else _nit, text)
    return text


def _nit(match: re.Match) -> str:
    # "NIT: 1234567-8" keeps the word and its colon; the number goes.
    lead = re.match(r"\s*(?:[:#]|no\.?|número)?\s*", match.group(0), re.I)
    return (lead.group(0) if lead else "") + "[nit]"
