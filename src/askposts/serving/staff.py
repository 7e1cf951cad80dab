"""The staff area (behind a login, at ``/personal``): a summary in charts (``staff_summary``),
past initiatives, what went unanswered, and corrections (``staff_review``).

«Iniciativas» searches every collection with filters and exports CSV. «Preguntas sin
respuesta» is the content-gap report built from the question log: questions the posts did not
answer (or answered with low confidence, or that people marked not useful), grouped by
meaning, with their feedback and the closest posts.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from urllib.parse import urlencode

import gradio as gr

from ..errors import AskpostsError
from ..filters import parse_bound
from ..questionlog.gaps import Gap, content_gaps
from ..spanish import messages as msg
from .render import TABLE_COLUMNS, table_rows
from .insight import Insight
from .service import AskService
from .staff_review import review_tab
from .staff_summary import summary_tab
from .widgets import menu_filters, year_menu

STAFF_COLLECTIONS = ("proyectos", "mediciones", "publicaciones", "blogs")
GAP_COLUMNS = ["Veces", "Pregunta (ejemplos)", "Primera vez", "Última vez", "Opiniones",
               "Publicaciones más cercanas"]


def make_staff_handler(service: AskService) -> Callable:
    """(query, collections, programmes, since, until, k) -> (rows, status, CSV link)."""

    def search(query, collections, programmes, since, until, k):
        query = (query or "").strip()
        if not query:
            return [], msg.SEARCH_EMPTY, ""
        try:
            chosen = menu_filters(collections, programmes, since, until)
            hits = service.search(query, int(k), chosen)
        except AskpostsError as exc:
            return [], f"⚠️ {exc}", ""
        params = {"q": query, "k": int(k), "collection": list(chosen.collections),
                  "programme": list(chosen.programmes),
                  **{b: str(int(v)) for b, v in (("since", since), ("until", until)) if v}}
        link = (f'<a id="exportar-csv" href="/api/export.csv?{escape(urlencode(params, True))}" '
                f'download="iniciativas.csv">Descargar estos resultados (CSV)</a>')
        status = msg.SEARCH_FOUND.format(count=len(hits)) if hits else msg.SEARCH_NOTHING
        return table_rows(hits), status, link if hits else ""

    return search


def gap_rows(gaps: list[Gap]) -> list[list[str]]:
    """The report as table rows (plain text: the table escapes it)."""
    rows = []
    for gap in gaps:
        opinions = f"👍 {gap.useful} · 👎 {gap.not_useful}"
        if gap.comments:
            opinions += " — «" + "» «".join(gap.comments[:2]) + "»"
        rows.append([str(gap.count), " | ".join(gap.examples), gap.first_seen, gap.last_seen,
                     opinions, " | ".join(f"{c['title']} ({c['url'] or c['path']})"
                                          for c in gap.closest)])
    return rows


def make_report_handler(service: AskService) -> Callable:
    """(since, only unanswered) -> (rows, status)."""
    index, qlog = service.index, service.qlog

    def report(since, unanswered):
        if qlog is None:
            return [], msg.LOG_OFF
        try:
            day = parse_bound(since, upper=False) if since else None
        except AskpostsError as exc:
            return [], f"⚠️ {exc}"
        qlog.flush(1.0)  # include what was asked a moment ago
        rows = qlog.rows(since=day, unanswered=bool(unanswered))
        gaps = content_gaps(rows, index)
        status = (msg.GAPS_FOUND.format(questions=len(rows), groups=len(gaps)) if rows
                  else msg.GAPS_NOTHING)
        return gap_rows(gaps), status

    return report


def _initiatives(service: AskService, facets: dict) -> None:
    gr.Markdown(msg.INITIATIVES_INTRO)
    query = gr.Textbox(label="Buscar iniciativas", elem_id="buscar-iniciativas",
                       placeholder="p. ej. datos abiertos municipales")
    default = [c for c in STAFF_COLLECTIONS if c in facets["collections"]]
    with gr.Row():
        collections = gr.Dropdown(facets["collections"], value=default, multiselect=True,
                                  label="Colecciones", elem_id="filtro-colecciones")
        programmes = gr.Dropdown(facets["programmes"], multiselect=True, label="Programa",
                                 elem_id="filtro-programa")
    with gr.Row():
        since = year_menu("Desde el año", facets["years"], "filtro-desde")
        until = year_menu("Hasta el año", facets["years"], "filtro-hasta")
        k = gr.Slider(5, 50, value=20, step=5, label="Cuántos resultados")
    run = gr.Button("Buscar", variant="primary", elem_id="buscar")
    status = gr.Markdown()
    export = gr.HTML()
    table = gr.Dataframe(headers=TABLE_COLUMNS, interactive=False, wrap=True,
                         label="Resultados", elem_id="resultados")
    search = make_staff_handler(service)
    inputs = [query, collections, programmes, since, until, k]
    gr.on([run.click, query.submit], search, inputs, [table, status, export],
          api_name="buscar")


def _gaps(service: AskService) -> None:
    gr.Markdown(msg.GAPS_INTRO)
    month_ago = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    with gr.Row():
        since = gr.Textbox(value=month_ago, label="Desde (AAAA-MM-DD)", elem_id="informe-desde")
        unanswered = gr.Checkbox(value=True, label="Solo las no respondidas",
                                 elem_id="informe-solo")
        run = gr.Button("Ver informe", variant="primary", elem_id="ver-informe")
    status = gr.Markdown(elem_id="informe-estado")
    table = gr.Dataframe(headers=GAP_COLUMNS, interactive=False, wrap=True,
                         label="Preguntas sin respuesta", elem_id="informe")
    run.click(make_report_handler(service), [since, unanswered], [table, status],
              api_name="informe")


def build_staff_ui(service: AskService, insight: Insight | None = None) -> gr.Blocks:
    """The staff area's Blocks (mounted behind a login by ``app.add_chat``): «Resumen»
    first, drawn when the page opens."""
    facets = service.index.facets()
    insight = insight or Insight(service)
    with gr.Blocks(title="Área del personal") as ui:
        gr.Markdown(msg.STAFF_TITLE)
        with gr.Tabs() as tabs:
            with gr.Tab("Resumen", id="resumen"):
                to_gaps, summary, inputs, shown = summary_tab(insight)
            with gr.Tab("Iniciativas", id="iniciativas"):
                _initiatives(service, facets)
            with gr.Tab("Preguntas sin respuesta", id="huecos"):
                _gaps(service)
            with gr.Tab("Revisar", id="revisar"):
                recent, listed = review_tab(insight)
        to_gaps.click(lambda: gr.Tabs(selected="huecos"), None, tabs)
        ui.load(summary, inputs, shown)
        ui.load(recent, None, listed)
    s = service.index.settings
    ui.queue(max_size=s.queue_size, default_concurrency_limit=s.slots)
    return ui
