"""An MCP client lists the two tools and gets an answer whose citation has its URL."""
import asyncio
import json

import pytest
from conftest import serving

from askposts.serving.app import create_app


@pytest.fixture(scope="module")
def mcp_url(sample_index):
    with serving(create_app(sample_index, mcp=True)) as base:
        yield base + "/mcp/gradio_api/mcp/"


def _call(url, tool=None, arguments=None):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def run():
        async with streamable_http_client(url) as (read, write, _), \
                ClientSession(read, write) as session:
            await session.initialize()
            if tool is None:
                return await session.list_tools()
            return await session.call_tool(tool, arguments)

    return asyncio.run(run())


def test_mcp_lists_the_tools_and_answers_with_citations(mcp_url):
    tools = {t.name: t for t in _call(mcp_url).tools}
    assert set(tools) == {"buscar_publicaciones", "preguntar"}
    assert "pregunta" in tools["preguntar"].inputSchema["properties"]
    result = _call(mcp_url, "preguntar",
                   {"pregunta": "¿Cuántas personas participaron en el taller de datos abiertos de Cobán?"})
    body = json.loads(result.content[0].text)
    assert body["encontrada"] is True and "[1]" in body["respuesta"]
    assert body["fuentes"][0]["url"].startswith("https://redciudadana.org/blogs/taller-de-datos")
    found = _call(mcp_url, "buscar_publicaciones", {"pregunta": "hackatón", "k": 2})
    hits = json.loads(found.content[0].text)
    assert len(hits) == 2 and all(h["titulo"] for h in hits)
