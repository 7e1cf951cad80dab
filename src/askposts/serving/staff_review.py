"""«Revisar»: staff correct the answers people got. Pick a logged question (or write one),
search the posts, choose the passage that answers it, seen highlighted, and save; or say that
the site does not answer it (and whether it should). Corrections are exported as training
lines for ``askposts fit --corrections``.
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from html import escape

import gradio as gr

from ..errors import AskpostsError
from ..records import Hit
from ..spanish import messages as msg
from .insight import Insight

RECENT = 50  # logged questions listed
PASSAGES = 5  # passages offered for one question
RECENT_COLUMNS = ["Hora (UTC)", "Pregunta", "Respuesta", "Confianza", "Citadas"]


def recent_rows(insight: Insight) -> tuple[list[list[str]], list[str]]:
    """The last logged questions, newest first, and their ids (same order)."""
    qlog = insight.service.qlog
    if qlog is None:
        return [], []
    qlog.flush(1.0)
    rows = qlog.latest(RECENT)
    grades = {"answer": "respondida", "near": "cerca", "none": "sin respuesta"}
    return ([[r.hour.replace("T", " "), r.question, grades.get(r.grade, r.grade),
              f"{r.confidence:.2f}", " ".join(r.cited)] for r in rows], [r.id for r in rows])


def passage_html(hit: Hit) -> str:
    """The passage as staff will save it, its key words highlighted."""
    text, key = hit.text, hit.key
    body = (escape(text[:key[0]]) + "<mark>" + escape(text[key[0]:key[1]]) + "</mark>"
            + escape(text[key[1]:])) if key and key[1] > key[0] else escape(text)
    where = escape(hit.url or hit.path)
    return (f'<div id="pasaje-elegido"><p><b>{escape(hit.title)}</b> '
            f'<span class="meta">{where}</span></p><blockquote>{body}</blockquote></div>')


def export_link(insight: Insight) -> str:
    """A link that downloads every correction as JSONL (no file route: a data: address)."""
    try:
        lines = insight.corrections().jsonl()
    except AskpostsError:
        return ""
    count = lines.count("\n")
    href = "data:application/jsonl;charset=utf-8," + urllib.parse.quote(lines)
    return (f'<a id="exportar-correcciones" download="correcciones.jsonl" href="{href}">'
            f'{escape(msg.REVIEW_EXPORT.format(count=count))}</a>')


def make_review_handlers(insight: Insight) -> dict[str, Callable]:
    """The tab's handlers, by name."""
    def refresh():
        rows, ids = recent_rows(insight)
        return rows, ids

    def pick(ids, event: gr.SelectData):
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        return (event.row_value[1] if event.row_value else ""), ids[row] if row < len(ids) else ""

    def find(question):
        question = (question or "").strip()
        if not question:
            return gr.Radio(choices=[], value=None), [], "", msg.SEARCH_EMPTY
        hits = insight.service.search(question, PASSAGES)
        labels = [f"{i}. {h.title} — {' '.join(h.text.split()[:14])}…"
                  for i, h in enumerate(hits, 1)]
        return (gr.Radio(choices=labels, value=labels[0] if labels else None), hits,
                passage_html(hits[0]) if hits else "", "" if hits else msg.SEARCH_NOTHING)

    def show(choice, hits):
        hit = _chosen(choice, hits)
        return passage_html(hit) if hit else ""

    def save(question, qid, choice, hits):
        hit = _chosen(choice, hits)
        if hit is None:
            return msg.CORRECTION_NO_PASSAGE, export_link(insight)
        return _saved(lambda: insight.correct(question, True, hit.path, hit.text,
                                              question_id=qid))

    def unanswerable(question, qid, should):
        return _saved(lambda: insight.correct(question, False, should_answer=bool(should),
                                              question_id=qid))

    def _saved(work):
        try:
            work()
        except AskpostsError as exc:
            return f"⚠️ {exc}", export_link(insight)
        count = len(insight.corrections().all())
        return msg.CORRECTION_SAVED.format(count=count), export_link(insight)

    return {"refresh": refresh, "pick": pick, "find": find, "show": show, "save": save,
            "unanswerable": unanswerable}


def _chosen(choice: str | None, hits: list[Hit]) -> Hit | None:
    if not choice or not hits:
        return None
    number = int(choice.split(".", 1)[0]) - 1
    return hits[number] if 0 <= number < len(hits) else None


def review_tab(insight: Insight) -> tuple:
    """The tab's widgets. Returns (its refresh handler, its outputs) for the page's load."""
    do = make_review_handlers(insight)
    gr.Markdown(msg.REVIEW_INTRO)
    ids, hits, qid = gr.State([]), gr.State([]), gr.State("")
    recent = gr.Dataframe(headers=RECENT_COLUMNS, interactive=False, wrap=True,
                          label="Preguntas recientes (elija una)", elem_id="recientes")
    reload = gr.Button("Actualizar la lista", size="sm", elem_id="actualizar-recientes")
    question = gr.Textbox(label="Pregunta a corregir", elem_id="pregunta-corregir")
    find = gr.Button("Buscar pasajes", variant="primary", elem_id="buscar-pasajes")
    choice = gr.Radio([], label="Pasaje que la responde", elem_id="pasajes")
    preview = gr.HTML(elem_id="vista-pasaje")
    with gr.Row():
        save = gr.Button(msg.REVIEW_SAVE, variant="primary",
                         elem_id="guardar-pasaje")
        should = gr.Checkbox(label="El sitio debería responderla", elem_id="deberia")
        none = gr.Button(msg.REVIEW_NONE, elem_id="sin-respuesta")
    status = gr.Markdown(elem_id="estado-correccion")
    export = gr.HTML(export_link(insight), elem_id="exportar")
    reload.click(do["refresh"], None, [recent, ids])
    question.input(lambda: "", None, qid)  # a question typed anew is not the logged one
    recent.select(do["pick"], [ids], [question, qid])
    gr.on([find.click, question.submit], do["find"], [question],
          [choice, hits, preview, status])
    choice.change(do["show"], [choice, hits], preview)
    save.click(do["save"], [question, qid, choice, hits], [status, export])
    none.click(do["unanswerable"], [question, qid, should], [status, export])
    return do["refresh"], [recent, ids]
