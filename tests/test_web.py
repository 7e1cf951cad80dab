"""The HTTP API, and the web app in a real browser (Debian's headless Chromium)."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, free_port
from fastapi.testclient import TestClient

from askposts.serving.auth import hash_password
from askposts.serving.http import create_api
from askposts.serving.service import AskService

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Screenshots go to a temporary folder; `make screenshots` sets this to refresh docs/.
SHOTS = Path(os.environ.get("ASKPOSTS_SCREENSHOTS") or tempfile.mkdtemp(prefix="shots-"))
DOCS = ROOT / "docs"
STAFF_PASSWORD = "clave-del-personal-de-prueba"
STAFF_HASH = hash_password(STAFF_PASSWORD, salt=b"fixed-test-salt!")


@pytest.fixture
def client(fake_index):
    """The HTTP API over the sample content and the fake embedder (shape, errors, CSV)."""
    return TestClient(create_api(AskService(fake_index)))


def test_search_endpoint_shape(client):
    r = client.get("/api/search", params={"q": "hackatón", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "hackatón" and len(body["hits"]) == 3
    assert set(body["hits"][0]) >= {"path", "title", "url", "date", "collection", "score",
                                    "text", "heading", "start", "end"}
    r = client.get("/api/search", params=[("q", "datos"), ("collection", "proyectos")])
    assert {h["collection"] for h in r.json()["hits"]} == {"proyectos"}


def test_ask_endpoint(sample_index):
    client = TestClient(create_api(AskService(sample_index)))
    question = "¿Cuántas personas participaron en el taller de datos abiertos de Cobán?"
    body = client.get("/api/ask", params={"q": question}).json()
    assert body["found"] is True and "[1]" in body["text"]
    assert body["citations"][0]["path"].startswith("blogs/2024-03-14-taller")
    nothing = client.get("/api/ask", params={"q": "¿Va a llover mañana en Marte?"}).json()
    assert nothing["found"] is False and nothing["related"]


@pytest.mark.parametrize("params,message", [
    ({}, "Falta el parámetro q"), ({"q": "  "}, "Falta el parámetro q"),
    ({"q": "x", "k": "abc"}, "k debe ser"), ({"q": "x", "k": "0"}, "k debe ser"),
    ({"q": "x", "since": "ayer"}, "Fecha no válida"), ({"q": "x" * 600}, "demasiado larga"),
])
def test_bad_parameters_are_400(client, params, message):
    r = client.get("/api/search", params=params)
    assert r.status_code == 400 and message in r.json()["error"]


@pytest.mark.parametrize("query", ["q=%00%01%02%ff%fe", "q=datos%00abiertos", "q=%ff%fe%fd",
                                   "q=datos%1babiertos"])
def test_control_bytes_and_invalid_utf8_are_400_before_the_model(fake_index, query):
    client = TestClient(create_api(AskService(fake_index)))
    for route in ("/api/ask", "/api/search"):
        r = client.get(f"{route}?{query}")
        assert r.status_code == 400 and "no se pueden leer" in r.json()["error"]
    assert len(fake_index._vectors) == 0  # nothing was encoded
    ok = client.get("/api/ask?q=%C2%BFQu%C3%A9%20es%20el%20presupuesto%3F%09")
    assert ok.status_code == 200  # accents and a tab are text


def test_export_csv_and_health(client):
    r = client.get("/api/export.csv", params={"q": "datos abiertos", "k": 5})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][0] == "titulo" and len(rows) == 6
    assert client.get("/api/health").json()["posts"] == 10


@pytest.fixture(scope="module")
def server(corpus_index):
    port = free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", ASKPOSTS_STAFF_PASSWORD_HASH=STAFF_HASH)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--index", str(corpus_index.folder.path),
         "--site-url", "https://redciudadana.org", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            r = httpx.get(url + "/api/health", timeout=2)  # the API answers before the chat
            if r.status_code == 200 and r.json()["chat_ready"]:
                break
            time.sleep(0.5)
        except httpx.HTTPError:
            time.sleep(1)
    else:
        proc.kill()
        pytest.fail("the server did not start: " + proc.stderr.read()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def page(server):
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make install-test` installs it")
        pytest.skip("chromium is not installed (make install-test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 412, "height": 915}, accept_downloads=True)
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs
        page.goto(server, wait_until="domcontentloaded")
        page.wait_for_selector("#pregunta textarea", timeout=60_000)
        yield page
        browser.close()


def ask(page, question):
    box = page.locator("#pregunta textarea")
    box.fill(question)
    page.locator("#enviar").click()
    page.wait_for_function("q => document.querySelector('#conversacion').innerText.includes(q)",
                           arg=question[:40], timeout=60_000)


def test_chat_answers_with_a_cited_link(page):
    ask(page, "¿Con qué mancomunidad de municipios firmamos un convenio en Quetzaltenango?")
    page.wait_for_selector("#conversacion ol.fuentes a", timeout=60_000)
    link = page.locator("#conversacion ol.fuentes a").first
    assert link.get_attribute("href") == ("https://redciudadana.org/blogs/laboratorio-de-"
                                          "innovaci%C3%B3n-municipal-en-occidente/")
    assert link.get_attribute("target") == "_blank"
    assert page.locator("#conversacion mark").count() >= 1
    page.screenshot(path=str(SHOTS / "screenshot-chat.png"), full_page=True)


def test_chat_shows_markup_as_text(page):
    attack = "<img src=x onerror=alert(1)>"
    ask(page, attack)
    time.sleep(1)
    assert page.dialogs == []
    assert page.locator("#conversacion img").count() == 0
    assert attack in page.locator("#conversacion").inner_text()


def test_unanswered_question_feedback_and_the_staff_report(page, server):
    question = "¿Cuál es el horario del zoológico La Aurora los domingos?"
    ask(page, question)
    page.locator("#opinion").get_by_text("¿Le sirvió la última respuesta?").click()
    page.locator("#comentario textarea").fill("quería saber del zoológico")
    page.locator("#util-no").click()
    page.wait_for_function("() => document.querySelector('#opinion-estado').innerText"
                           ".includes('Gracias')", timeout=30_000)
    page.set_viewport_size({"width": 1100, "height": 900})  # a phone folds the four tabs
    page.goto(server + "/personal/", wait_until="domcontentloaded")
    page.locator("input[type=text]").first.fill("personal")
    page.locator("input[type=password]").fill(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Preguntas sin respuesta").click(timeout=60_000)
    page.locator("#ver-informe").click()
    page.wait_for_function("q => document.querySelector('#informe').innerText.includes(q)",
                           arg="zoológico La Aurora", timeout=60_000)
    report = page.locator("#informe").inner_text()
    assert "👎 1" in report and "quería saber del zoológico" in report
    page.get_by_role("tab", name="Iniciativas").click()


def test_staff_tab_filters_and_csv(page):
    page.locator("#buscar-iniciativas textarea").fill("datos abiertos")
    since = page.locator("#filtro-desde input")
    since.click()
    since.fill("2024")
    page.keyboard.press("Enter")
    page.locator("#buscar").click()
    page.wait_for_selector("#exportar-csv", timeout=60_000)
    page.screenshot(path=str(SHOTS / "screenshot-staff.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("#exportar-csv").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["titulo", "coleccion", "fecha"] and len(rows) > 1
    assert all(r[2][-4:] >= "2024" for r in rows[1:]), [r[2] for r in rows[1:]]


def test_staff_summary_matches_the_log_and_a_correction_is_exported(page, corpus_index,
                                                                    tmp_path):
    from askposts.fitting.data import usable_corrections
    from askposts.questionlog.log import QuestionLog

    page.get_by_role("tab", name="Resumen").click()
    page.locator("#ver-resumen").click()
    page.wait_for_selector("#resumen-cifras", timeout=60_000)
    rows = QuestionLog(corpus_index.folder.path / "questions.sqlite").rows()
    assert rows and page.locator("#resumen-cifras").get_attribute("data-preguntas") == \
        str(len(rows))
    bars = page.locator("#grafico-semanas rect.barra")
    assert sum(int(v) for v in bars.evaluate_all("b => b.map(x => x.dataset.valor)")) == \
        len(rows)
    unanswered = sum(r.grade == "none" for r in rows)
    assert page.locator("#grafico-semanas rect[data-serie=none]").evaluate_all(
        "b => b.reduce((n, x) => n + Number(x.dataset.valor), 0)") == unanswered
    assert page.locator("#resumen-huecos li").count() >= 1
    page.screenshot(path=str(SHOTS / "screenshot-summary.png"), full_page=True)

    page.get_by_role("tab", name="Revisar").click()
    page.locator("#actualizar-recientes").click()
    saved = "t => document.querySelector('#estado-correccion').innerText.includes(t)"
    # .last: the table also keeps a hidden copy of its longest row, to size its columns
    page.locator("#recientes").get_by_text("zoológico La Aurora").last.click()
    page.wait_for_function("() => document.querySelector('#pregunta-corregir textarea')"
                           ".value.includes('zoológico')", timeout=30_000)
    page.locator("#deberia input").check()
    page.locator("#sin-respuesta").click()
    page.wait_for_function(saved, arg="guardada", timeout=30_000)
    page.locator("#recientes").get_by_text("Quetzaltenango").last.click()
    page.wait_for_function("() => document.querySelector('#pregunta-corregir textarea')"
                           ".value.includes('Quetzaltenango')", timeout=30_000)
    page.locator("#buscar-pasajes").click()
    page.wait_for_selector("#pasaje-elegido blockquote", timeout=60_000)
    page.locator("#guardar-pasaje").click()
    page.wait_for_function(saved, arg="(2 en total)", timeout=30_000)
    page.screenshot(path=str(SHOTS / "screenshot-correction.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("#exportar-correcciones").click()
    exported = tmp_path / "correcciones.jsonl"
    exported.write_text(Path(info.value.path()).read_text(encoding="utf-8"), encoding="utf-8")
    lines = [json.loads(x) for x in exported.read_text(encoding="utf-8").splitlines()]
    assert [(x["answerable"], x["should_answer"]) for x in lines] == [(False, True),
                                                                     (True, None)]
    assert "zoológico" in lines[0]["question"] and lines[1]["relevant"]
    assert lines[1]["evidence"] and set(lines[0]) >= {"question", "relevant", "evidence"}
    kept, skipped = usable_corrections(exported, corpus_index.generation)  # what fit reads
    assert len(kept) == 2 and skipped == []
    page.set_viewport_size({"width": 412, "height": 915})


def test_chat_endpoint_answers_through_gradio_client(server):
    from gradio_client import Client

    client = Client(server + "/", verbose=False)
    question = "¿Con qué mancomunidad de municipios firmamos un convenio en Quetzaltenango?"
    # Gradio keeps the conversation (State) on the server; the client sends the rest.
    box, html = client.predict(question, [], "", "", api_name="/preguntar")
    assert box == ""
    assert "laboratorio-de-innovaci%C3%B3n-municipal-en-occidente" in html
    with pytest.raises(Exception):  # the staff area needs its login
        Client(server + "/personal/", verbose=False)
    staff = Client(server + "/personal/", auth=("personal", STAFF_PASSWORD), verbose=False)
    table, status, _ = staff.predict("datos abiertos", ["proyectos"], [], "", "", 5,
                                     api_name="/buscar")
    data = table["data"] if isinstance(table, dict) else table
    assert data and all(row[1] == "proyectos" for row in data), table
    assert status.startswith(f"{len(data)} resultados")
