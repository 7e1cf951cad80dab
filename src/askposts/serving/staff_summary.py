"""«Resumen», the staff area's first tab: how the chat did over a period, in charts.

Questions a week by decision, opinions a week, the front ends, the posts cited most and the
largest groups of unanswered questions (from «Preguntas sin respuesta»). The same figures as
``GET /api/summary`` (``insight``).
"""
from __future__ import annotations

from collections.abc import Callable
from html import escape

import gradio as gr

from ..errors import AskpostsError
from ..spanish import messages as msg
from .charts import hbars, stacked_weeks
from .insight import PERIODS, Insight, Overview, period

GRADE_SERIES = [("answer", "respondidas", "#2e7d32"), ("near", "cerca", "#f9a825"),
                ("none", "sin respuesta", "#c62828")]
OPINION_SERIES = [("useful", "útil", "#2e7d32"), ("not_useful", "no útil", "#c62828")]
SOURCE_NAMES = {"chat": "Chat", "widget": "Widget del sitio", "api": "API", "mcp": "MCP",
                "otro": "Sin registrar"}
MENU = [("Últimos 30 días", "30"), ("Últimos 90 días", "90"), ("Último año", "365"),
        ("Entre fechas", "fechas")]


def overview_html(seen: Overview, titles: dict[str, tuple[str, str]]) -> str:
    """The summary as HTML: headline figures, four charts and the largest gaps."""
    s = seen.summary
    weeks = [{**w.__dict__} for w in s.weeks]
    share = (lambda n: f"{100 * n / s.questions:.0f} %") if s.questions else (lambda n: "—")
    head = (f'<p id="resumen-cifras" data-preguntas="{s.questions}"><b>{s.questions}</b> '
            f'preguntas del {escape(s.since)} al {escape(s.until)}: '
            f'{s.grades["answer"]} respondidas ({share(s.grades["answer"])}), '
            f'{s.grades["near"]} cerca, {s.grades["none"]} sin respuesta; '
            f'opiniones: {s.useful} útiles, {s.not_useful} no útiles.</p>')
    cited = [(titles.get(c["path"], (c["path"], ""))[0], c["count"]) for c in s.cited]
    sources = [(SOURCE_NAMES[k], n) for k, n in s.sources.items()]
    return (head
            + stacked_weeks(weeks, GRADE_SERIES, msg.CHART_WEEKS,
                            "grafico-semanas")
            + stacked_weeks(weeks, OPINION_SERIES, "Opiniones por semana", "grafico-opiniones")
            + hbars(sources, "De dónde llegaron", "grafico-origen", "#6a1b9a")
            + hbars(cited, "Las 10 publicaciones más citadas", "grafico-citadas")
            + _gaps(seen))


def _gaps(seen: Overview) -> str:
    if not seen.gaps:
        return ('<h3>Lo que más se preguntó sin respuesta</h3><p class="meta">'
                f'{escape(msg.GAPS_NOTHING)}</p>')
    items = "".join(
        f'<li><b>{g.count}</b> × «{escape(g.examples[0])}»'
        + (f' <span class="meta">(también: «{escape(g.examples[1])}»)</span>'
           if len(g.examples) > 1 else "") + "</li>" for g in seen.gaps)
    return ('<h3>Lo que más se preguntó sin respuesta</h3>'
            f'<ol id="resumen-huecos">{items}</ol>'
            '<p class="meta">Cada grupo, con sus preguntas y las publicaciones más cercanas, '
            'en «Preguntas sin respuesta».</p>')


def make_summary_handler(insight: Insight) -> Callable:
    """(period key, since, until) -> summary HTML."""
    def show(which, since, until):
        try:
            if which == "fechas":
                start, end = period(since or None, until or None)
            else:
                start, end = period(days=PERIODS.get(which, 30))
            seen = insight.overview(start, end)
        except AskpostsError as exc:
            return f'<p class="aviso">⚠️ {escape(str(exc))}</p>'
        gen = insight.service.index.generation
        titles = {p.path: (p.title, p.url) for p in gen.posts}
        return overview_html(seen, titles)
    return show


def summary_tab(insight: Insight) -> tuple:
    """The tab's widgets. Returns (the button that opens the gaps tab, the handler, its
    inputs, its output): the page draws the summary when it opens."""
    gr.Markdown(msg.SUMMARY_INTRO)
    with gr.Row():
        which = gr.Dropdown(MENU, value="30", label="Periodo", elem_id="resumen-periodo")
        since = gr.Textbox(label="Desde (AAAA-MM-DD)", elem_id="resumen-desde")
        until = gr.Textbox(label="Hasta (AAAA-MM-DD)", elem_id="resumen-hasta")
        run = gr.Button("Ver resumen", variant="primary", elem_id="ver-resumen")
    shown = gr.HTML(elem_id="resumen")
    to_gaps = gr.Button("Abrir «Preguntas sin respuesta»", size="sm", elem_id="abrir-huecos")
    show = make_summary_handler(insight)
    run.click(show, [which, since, until], shown, api_name="resumen")
    return to_gaps, show, [which, since, until], shown
