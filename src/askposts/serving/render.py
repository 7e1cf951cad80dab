"""Answers and hits as safe HTML and CSV for the web UI and the HTTP API.

Everything that comes from the corpus or from the user is escaped: posts contain raw HTML
(iframes, forms, scripts) and questions can contain anything; both are shown as text.
"""
from __future__ import annotations

import csv
import io
from html import escape

from ..questionlog.gaps import Gap
from ..records import Answer, Hit
from ..spanish import messages as msg
from ..spanish.words import spanish_date


def _link(hit: Hit) -> str:
    title = escape(hit.title)
    if not hit.url:
        return f"<strong>{title}</strong>"
    return (f'<a href="{escape(hit.url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">{title}</a>')


def excerpt_html(hit: Hit) -> str:
    """The quote highlighted with ``<mark>`` (its key span in bold), with its context.

    Everything comes from the ``Hit`` itself: the UI never reads the index again, so a
    reload between the answer and its rendering cannot shift the offsets.
    """
    text = hit.text
    if hit.key:
        s, e = hit.key
        marked = f"{escape(text[:s])}<strong>{escape(text[s:e])}</strong>{escape(text[e:])}"
    else:
        marked = escape(text)
    before = ("…" if hit.before and hit.start > len(hit.before) else "") + hit.before
    after = hit.after + ("…" if hit.after else "")
    return f"{escape(before)}<mark>{marked}</mark>{escape(after)}"


def _meta(hit: Hit) -> str:
    parts = [escape(hit.collection)]
    if hit.date:
        parts.append(escape(spanish_date(hit.date)))
    return " · ".join(parts)


def source_html(number: int | None, hit: Hit) -> str:
    label = f"[{number}] " if number else ""
    return (f'<li class="fuente"><div>{label}{_link(hit)} '
            f'<span class="meta">({_meta(hit)})</span></div>'
            f'<blockquote class="extracto">{excerpt_html(hit)}</blockquote></li>')


def answer_html(answer: Answer) -> str:
    """The answer text, then its numbered sources (or the related posts)."""
    html = [f'<p class="respuesta">{escape(answer.text)}</p>']
    if answer.grade == "near":
        html.append(f'<p class="meta">{msg.NEAR_NOTE}</p>')
    if answer.citations:
        html.append(f'<p class="titulo-fuentes">{msg.SOURCES}</p><ol class="fuentes" '
                    f'aria-label="{msg.SOURCES_LABEL}">')
        html += [source_html(i, h) for i, h in enumerate(answer.citations, 1)]
        html.append("</ol>")
    if answer.related:
        label = msg.RELATED if not answer.found else msg.ALSO_READ
        html.append(f'<p class="titulo-fuentes">{label}</p><ul class="relacionadas" '
                    f'aria-label="{label}">')
        html += [f"<li>{_link(h)} <span class=\"meta\">({_meta(h)})</span></li>"
                 for h in answer.related]
        html.append("</ul>")
    return "\n".join(html)


CSV_COLUMNS = ["titulo", "coleccion", "fecha", "programa", "url", "archivo", "extracto",
               "puntaje"]


def safe_cell(value: object) -> object:
    """A CSV cell as text, never a formula."""
    # A cell starting with = + - @ would run as a formula in a spreadsheet: keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def hits_rows(hits: list[Hit]) -> list[list]:
    return [[safe_cell(v) for v in (h.title, h.collection, spanish_date(h.date), h.programme,
                                h.url or h.link or "", h.path, h.text, round(h.score, 3))]
            for h in hits]


TABLE_COLUMNS = ["Título", "Colección", "Fecha", "Programa", "Enlace", "Extracto"]


def table_rows(hits: list[Hit], excerpt_chars: int = 160) -> list[list]:
    """Rows for the staff view's table: a short excerpt, so it reads on a phone too."""
    def short(text: str) -> str:
        return text if len(text) <= excerpt_chars else text[:excerpt_chars].rsplit(" ", 1)[0] + "…"

    return [[h.title, h.collection, spanish_date(h.date), h.programme, h.url or h.link or "",
             short(h.text)] for h in hits]


def hits_csv(hits: list[Hit]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(hits_rows(hits))
    return buffer.getvalue()


GAPS_CSV_COLUMNS = ["grupo", "veces_en_el_grupo", "hora", "pregunta", "decision", "confianza",
               "motivo", "citadas", "util", "comentario"]


def gaps_csv(gaps: list[Gap]) -> str:
    """One row per question with its group number (a spreadsheet can pivot on it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(GAPS_CSV_COLUMNS)
    for n, gap in enumerate(gaps, 1):
        for q in gap.questions:
            writer.writerow([n, gap.count, q.hour, safe_cell(q.question), q.grade,
                             f"{q.confidence:.2f}", safe_cell(q.reason), " ".join(q.cited),
                             "" if q.useful is None else ("sí" if q.useful else "no"),
                             safe_cell(q.comment)])
    return out.getvalue()
