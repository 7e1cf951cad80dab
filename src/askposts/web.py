"""The Gradio UI: a public chat with cited answers, and a staff view of past initiatives."""
from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import gradio as gr

from .errors import AskpostsError
from .index import Index
from .render import TABLE_COLUMNS, answer_html, table_rows
from .serving import Busy, Gate

EXAMPLES = ["¿Qué es la justicia abierta?", "¿Qué proyectos de datos abiertos hemos hecho?",
            "¿Cómo se pide información pública?"]
STAFF_COLLECTIONS = ("proyectos", "mediciones", "publicaciones", "blogs")
CSS = """
#conversacion .turno {border-bottom: 1px solid #ddd; padding: .5rem 0;}
#conversacion .pregunta {font-weight: 600; white-space: pre-wrap; overflow-wrap: anywhere;}
#conversacion mark {background: #fff1a8; padding: 0 .1em;}
#conversacion blockquote {margin: .25rem 0 .75rem 1rem; color: #333; overflow-wrap: anywhere;}
#conversacion .meta {color: #555; font-size: .9em;}
#conversacion ol.fuentes {list-style: none; padding-left: 0;}
#conversacion .aviso {color: #8a3b00;}
@media (max-width: 640px) { #conversacion blockquote {margin-left: .25rem;} }
"""


def _turn(question: str, body: str) -> str:
    return (f'<div class="turno"><p class="pregunta">Usted: {escape(question)}</p>'
            f'<div class="cuerpo">{body}</div></div>')


def _conversation(turns: list[str]) -> str:
    if not turns:
        return ('<div role="log" aria-live="polite" aria-label="Conversación">'
                '<p class="meta">Escriba una pregunta sobre nuestras publicaciones. Cada '
                'respuesta cita sus fuentes.</p></div>')
    return ('<div role="log" aria-live="polite" aria-label="Conversación">'
            + "".join(turns) + "</div>")


def _year_menu(label: str, years: list[int], elem_id: str | None = None) -> gr.Dropdown:
    # An explicit "any" choice: a dropdown without one selects its first year by itself.
    choices = [("Cualquiera", "")] + [(str(y), str(y)) for y in years]
    return gr.Dropdown(choices, value="", label=label, elem_id=elem_id)


def _years(since, until) -> dict:
    return {"since": str(int(since)) if since else None,
            "until": str(int(until)) if until else None}


def make_chat_handler(index: Index, gate: Gate):
    limit = index.settings.max_question_chars

    def respond(question, turns, asked, collections, since, until):
        turns, asked = list(turns or []), list(asked or [])
        question = (question or "").strip()
        if not question:
            return question, turns, asked, _conversation(turns)
        if len(question) > limit:
            note = (f'<p class="aviso">Su pregunta tiene {len(question)} caracteres; el máximo '
                    f'es {limit}. Acórtela y vuelva a intentarlo (la dejamos en el cuadro).</p>')
            return (question, turns, asked,
                    _conversation(turns + [_turn(question[:80] + "…", note)]))
        try:
            # The conversation's earlier questions let «¿y cuándo fue?» be read in context.
            with gate.slot():
                answer = index.ask(question, collections=collections or None,
                                   history=asked[-3:], **_years(since, until))
        except Busy as exc:  # the question stays in the box, to send again
            note = f'<p class="aviso" role="status">{escape(str(exc))}</p>'
            return question, turns, asked, _conversation(turns + [_turn(question, note)])
        except AskpostsError as exc:
            note = f'<p class="aviso">{escape(str(exc))}</p>'
            return question, turns, asked, _conversation(turns + [_turn(question, note)])
        turns.append(_turn(question, answer_html(answer)))
        return "", turns, asked + [question], _conversation(turns)

    return respond


def make_staff_handler(index: Index, gate: Gate):
    def search(query, collections, programmes, since, until, k):
        query = (query or "").strip()
        if not query:
            return [], "Escriba qué busca (por ejemplo: «datos abiertos municipales»).", ""
        params = {"q": query, "k": int(k), "collection": collections or [],
                  "programme": programmes or [], **{k_: v for k_, v in
                                                    _years(since, until).items() if v}}
        try:
            with gate.slot():
                hits = index.search(query, k=int(k), collections=collections or None,
                                    programmes=programmes or None, **_years(since, until))
        except AskpostsError as exc:
            return [], f"⚠️ {exc}", ""
        link = (f'<a id="exportar-csv" href="/api/export.csv?{escape(urlencode(params, True))}" '
                f'download="iniciativas.csv">Descargar estos resultados (CSV)</a>')
        status = f"{len(hits)} resultados." if hits else "Sin resultados con esos filtros."
        return table_rows(hits), status, link if hits else ""

    return search


def _chat_tab(index: Index, facets: dict, gate: Gate) -> None:
    turns = gr.State([])
    asked = gr.State([])  # the conversation's questions, for follow-ups
    conversation = gr.HTML(_conversation([]), elem_id="conversacion")
    with gr.Row(equal_height=True):
        question = gr.Textbox(label="Su pregunta", placeholder="Escriba aquí su pregunta…",
                              elem_id="pregunta", scale=5, lines=1,
                              max_length=index.settings.max_question_chars * 2)
        send = gr.Button("Preguntar", variant="primary", elem_id="enviar", scale=1)
    with gr.Accordion("Filtros (opcional)", open=False):
        collections = gr.Dropdown(facets["collections"], multiselect=True, label="Colecciones")
        with gr.Row():
            since = _year_menu("Desde el año", facets["years"])
            until = _year_menu("Hasta el año", facets["years"])
    gr.Examples(EXAMPLES, inputs=question, label="Preguntas de ejemplo")
    clear = gr.Button("Nueva conversación", variant="secondary")
    respond = make_chat_handler(index, gate)
    inputs = [question, turns, asked, collections, since, until]
    outputs = [question, turns, asked, conversation]
    # A public endpoint, as Gradio apps are expected to have: gradio_client can call it.
    gr.on([send.click, question.submit], respond, inputs, outputs, api_name="preguntar")
    clear.click(lambda: ([], [], _conversation([])), None, [turns, asked, conversation],
                api_visibility="private")


def _staff_tab(index: Index, facets: dict, gate: Gate) -> None:
    gr.Markdown("Busque iniciativas pasadas (qué hicimos, cuándo y con quién) en todas las "
                "colecciones, y descargue los resultados.")
    query = gr.Textbox(label="Buscar iniciativas", elem_id="buscar-iniciativas",
                       placeholder="p. ej. datos abiertos municipales")
    default = [c for c in STAFF_COLLECTIONS if c in facets["collections"]]
    with gr.Row():
        collections = gr.Dropdown(facets["collections"], value=default, multiselect=True,
                                  label="Colecciones", elem_id="filtro-colecciones")
        programmes = gr.Dropdown(facets["programmes"], multiselect=True, label="Programa",
                                 elem_id="filtro-programa")
    with gr.Row():
        since = _year_menu("Desde el año", facets["years"], "filtro-desde")
        until = _year_menu("Hasta el año", facets["years"], "filtro-hasta")
        k = gr.Slider(5, 50, value=20, step=5, label="Cuántos resultados")
    run = gr.Button("Buscar", variant="primary", elem_id="buscar")
    status = gr.Markdown()
    export = gr.HTML()
    table = gr.Dataframe(headers=TABLE_COLUMNS, interactive=False, wrap=True,
                         label="Resultados", elem_id="resultados")
    search = make_staff_handler(index, gate)
    inputs = [query, collections, programmes, since, until, k]
    gr.on([run.click, query.submit], search, inputs, [table, status, export],
          api_name="buscar")


def build_ui(index: Index, gate: Gate) -> gr.Blocks:
    facets = index.facets()
    with gr.Blocks(title="Pregunte a nuestras publicaciones") as ui:
        gr.Markdown("# Pregunte a nuestras publicaciones\nRespuestas cortas con citas de "
                    "nuestros blogs, proyectos y publicaciones.")
        with gr.Tab("Preguntar"):
            _chat_tab(index, facets, gate)
        with gr.Tab("Iniciativas (personal)"):
            _staff_tab(index, facets, gate)
    s = index.settings
    ui.queue(max_size=s.queue_size, default_concurrency_limit=s.slots)
    return ui
