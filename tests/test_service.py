"""Every front end goes through one service: a question asked anywhere is logged the same way."""
import asyncio
import dataclasses

import httpx
import pytest
from conftest import serving

from askposts import Index
from askposts.questionlog.log import QuestionLog
from askposts.serving.app import create_app

TOKEN = "token-del-personal"
ASKED = {"api": "¿Qué actividades tuvo el taller de datos abiertos?",
         "chat": "¿Dónde fue el taller de datos abiertos en Cobán?",
         "mcp": "¿Quiénes participaron en el taller de datos abiertos?"}


@pytest.fixture
def site(_fake_index, fake_embedder, tmp_path):
    settings = dataclasses.replace(_fake_index.settings, staff_token=TOKEN)
    index = Index(_fake_index.folder.path, settings, embedder=fake_embedder)
    qlog = QuestionLog(tmp_path / "preguntas.sqlite")
    with serving(create_app(index, mcp=True, qlog=qlog)) as base:
        yield base


def _mcp_ask(url: str, question: str) -> str:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def run():
        async with streamable_http_client(url) as (read, write, _), \
                ClientSession(read, write) as session:
            await session.initialize()
            return await session.call_tool("preguntar", {"pregunta": question})

    return asyncio.run(run()).content[0].text


def _logged(base: str) -> list[str]:
    r = httpx.get(base + "/api/questions", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    return [q for group in r.json()["groups"] for q in group["examples"]]


def test_a_question_asked_anywhere_reaches_the_staff_report(site):
    from gradio_client import Client

    assert _logged(site) == []
    assert httpx.get(site + "/api/ask", params={"q": ASKED["api"]}).status_code == 200
    box, _ = Client(site + "/", verbose=False).predict(ASKED["chat"], [], "", "",
                                                      api_name="/preguntar")
    assert box == ""  # answered: the box is emptied
    assert "respuesta" in _mcp_ask(site + "/mcp/gradio_api/mcp/", ASKED["mcp"])
    # Once each, whatever asked it (the report groups by meaning; examples are the questions).
    assert sorted(_logged(site)) == sorted(ASKED.values())
