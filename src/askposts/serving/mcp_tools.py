"""Model Context Protocol tools: the posts, searchable from AI assistants, citations intact.

``askposts serve --mcp`` mounts these two functions as Gradio's built-in MCP server at
``/mcp/gradio_api/mcp/`` (streamable HTTP). Public data only: the same answers and posts the
public chat gives, with their URLs; nothing from the question log or the staff area.
"""
from __future__ import annotations

import json

import gradio as gr

from ..spanish import messages as msg
from .service import AskService

MAX_K = 20


def _json(value: object) -> str:
    # Assistants read the tool's text: JSON, with accents as they are.
    return json.dumps(value, ensure_ascii=False)


def make_tools(service: AskService) -> tuple:
    """The two tool functions (their docstrings are what assistants read)."""

    def buscar_publicaciones(pregunta: str, k: int = 5) -> str:
        """Busca en las publicaciones de la organización (blogs, proyectos, publicaciones).

        Args:
            pregunta: lo que se busca, en español.
            k: cuántas publicaciones devolver (1 a 20).

        Returns:
            JSON: una lista de las publicaciones más cercanas, la mejor primero, con título,
            URL, fecha, colección y el pasaje que mejor responde, citado literalmente.
        """
        hits = service.search(pregunta, k=max(1, min(MAX_K, int(k))))
        return _json([{"titulo": h.title, "url": h.url or h.link, "fecha": h.date,
                       "coleccion": h.collection, "extracto": h.text} for h in hits])

    def preguntar(pregunta: str) -> str:
        """Responde una pregunta en español citando las publicaciones de la organización.

        Args:
            pregunta: la pregunta, en español.

        Returns:
            JSON con la respuesta (pasajes citados literalmente con [1], [2]...), si las
            publicaciones responden, el grado (answer: responde; near: lo más cercano, puede
            que no responda; none: nada), la confianza (0 a 1) de que la cita responda, el
            motivo, y las fuentes con título y URL.
        """
        answer = service.ask(pregunta, source="mcp").answer
        return _json({"respuesta": answer.text, "encontrada": answer.found,
                "grado": answer.grade, "confianza": round(answer.confidence, 3),
                "motivo": answer.reason,
                "fuentes": [{"numero": i, "titulo": h.title, "url": h.url or h.link,
                             "fecha": h.date, "cita": h.text}
                            for i, h in enumerate(answer.citations, 1)],
                "relacionadas": [{"titulo": h.title, "url": h.url or h.link}
                                 for h in answer.related]})

    return buscar_publicaciones, preguntar


def build_mcp_ui(service: AskService) -> gr.Blocks:
    """A Blocks with only the two tools as API endpoints (mounted with ``mcp_server=True``)."""
    with gr.Blocks(title="askposts MCP") as ui:
        gr.Markdown(msg.MCP_INTRO)
        for tool in make_tools(service):
            gr.api(tool, api_name=tool.__name__)
    s = service.index.settings
    ui.queue(max_size=s.queue_size, default_concurrency_limit=s.slots)
    return ui
