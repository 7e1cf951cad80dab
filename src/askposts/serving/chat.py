"""The public Gradio chat: cited answers, follow-ups, and one-click feedback on each answer."""
from __future__ import annotations

from collections.abc import Callable
from html import escape

import gradio as gr

from ..errors import AskpostsError
from ..questionlog.log import MAX_COMMENT
from ..spanish import messages as msg
from .gate import Busy
from .render import answer_html
from .service import AskService
from .widgets import menu_filters, year_menu

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
                f'<p class="meta">{msg.CHAT_EMPTY}</p></div>')
    return ('<div role="log" aria-live="polite" aria-label="Conversación">'
            + "".join(turns) + "</div>")


def _note(question: str, turns: list[str], text: str, status: bool = False) -> str:
    role = ' role="status"' if status else ""
    return _conversation(turns + [_turn(question, f'<p class="aviso"{role}>{escape(text)}</p>')])


def _visitor(request: gr.Request | None) -> str:
    """The visitor's address, whose share of the questions the chat counts (the proxy
    headers resolved: ``trusted_proxies``); none for a call without a request."""
    client = getattr(request, "client", None)
    return getattr(client, "host", "") or ""


def make_chat_handler(service: AskService) -> Callable:
    """The chat's handler: (question, turns, asked, last id, filters) -> the new state."""
    limit = service.index.settings.max_question_chars

    def respond(question, turns, asked, last, collections, since, until,
                request: gr.Request | None = None):
        turns, asked = list(turns or []), list(asked or [])
        question = (question or "").strip()
        if not question:
            return question, turns, asked, last, _conversation(turns)
        if len(question) > limit:
            return question, turns, asked, last, _note(
                question[:80] + "…", turns,
                msg.QUESTION_TOO_LONG.format(length=len(question), limit=limit))
        try:
            # The conversation's earlier questions let «¿y cuándo fue?» be read in context.
            chosen = menu_filters(collections, None, since, until)
            reply = service.ask(question, chosen, asked, "chat", _visitor(request))
        except Busy as exc:  # too many at once, or too often: the question stays in the box
            return question, turns, asked, last, _note(question, turns, str(exc), status=True)
        except AskpostsError as exc:
            return question, turns, asked, last, _note(question, turns, str(exc))
        last = reply.log_id or last
        turns.append(_turn(question, answer_html(reply.answer)))
        return "", turns, asked + [question], last, _conversation(turns)

    return respond


def make_feedback_handler(service: AskService) -> Callable:
    """(useful, comment, last id) -> (comment box, status): one click, optional comment."""

    def feedback(useful, comment, last):
        if service.qlog is None:
            return comment, ""
        try:
            service.feedback(last, useful, comment)
        except AskpostsError as exc:
            return comment, f"⚠️ {exc}"
        return "", msg.FEEDBACK_THANKS

    return feedback


def _feedback_row(service: AskService, last: gr.State) -> None:
    if service.qlog is None:
        return
    with gr.Accordion(msg.FEEDBACK_QUESTION, open=False, elem_id="opinion"):
        comment = gr.Textbox(label="Comentario (opcional, hasta 300 caracteres)",
                             max_length=MAX_COMMENT, lines=2, elem_id="comentario")
        with gr.Row():
            yes = gr.Button("👍 Sí, me sirvió", elem_id="util-si", size="sm")
            no = gr.Button("👎 No me sirvió", elem_id="util-no", size="sm")
        status = gr.Markdown(elem_id="opinion-estado")
    feedback = make_feedback_handler(service)
    for button, useful in ((yes, True), (no, False)):
        button.click(lambda c, lid, u=useful: feedback(u, c, lid), [comment, last],
                     [comment, status], api_visibility="private")


def _chat(service: AskService) -> None:
    index = service.index
    facets = index.facets()
    turns = gr.State([])
    asked = gr.State([])  # the conversation's questions, for follow-ups
    last = gr.State("")  # the log id of the last answer (for its feedback); never a cookie
    conversation = gr.HTML(_conversation([]), elem_id="conversacion")
    with gr.Row(equal_height=True):
        question = gr.Textbox(label="Su pregunta", placeholder="Escriba aquí su pregunta…",
                              elem_id="pregunta", scale=5, lines=1,
                              max_length=index.settings.max_question_chars * 2)
        send = gr.Button("Preguntar", variant="primary", elem_id="enviar", scale=1)
    _feedback_row(service, last)
    with gr.Accordion("Filtros (opcional)", open=False):
        collections = gr.Dropdown(facets["collections"], multiselect=True, label="Colecciones")
        with gr.Row():
            since = year_menu("Desde el año", facets["years"])
            until = year_menu("Hasta el año", facets["years"])
    gr.Examples(msg.CHAT_EXAMPLES, inputs=question, label="Preguntas de ejemplo")
    clear = gr.Button("Nueva conversación", variant="secondary")
    respond = make_chat_handler(service)
    inputs = [question, turns, asked, last, collections, since, until]
    outputs = [question, turns, asked, last, conversation]
    # A public endpoint, as Gradio apps are expected to have: gradio_client can call it.
    gr.on([send.click, question.submit], respond, inputs, outputs, api_name="preguntar")
    clear.click(lambda: ([], [], "", _conversation([])), None,
                [turns, asked, last, conversation], api_visibility="private")


def build_ui(service: AskService) -> gr.Blocks:
    """The public chat (and its feedback buttons when the question log is on)."""
    index = service.index
    with gr.Blocks(title="Pregunte a nuestras publicaciones") as ui:
        gr.Markdown(msg.CHAT_TITLE)
        _chat(service)
        if service.qlog is not None:
            gr.Markdown(msg.CHAT_PRIVACY.format(days=index.settings.question_log_days),
                        elem_classes=["meta"])
    s = index.settings
    ui.queue(max_size=s.queue_size, default_concurrency_limit=s.slots)
    return ui
