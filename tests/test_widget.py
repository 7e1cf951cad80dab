"""The chat on the organisation's own pages: one script line, in a real browser."""
import gzip
import os
import shutil
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import SAMPLE, SITE, free_port, serving
from fastapi.testclient import TestClient

from askposts import build_index
from askposts.questionlog.log import QuestionLog
from askposts.serving.app import create_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Screenshots go to a temporary folder; `make screenshots` sets this to refresh docs/.
SHOTS = Path(os.environ.get("ASKPOSTS_SCREENSHOTS") or tempfile.mkdtemp(prefix="shots-"))
PAYLOAD = '<img src="x" onerror="window.__pwned = 1"><script>window.__pwned = 2</script>'


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    """The sample posts, and one whose text holds markup that must stay inert."""
    folder = tmp_path_factory.mktemp("content")
    shutil.copytree(SAMPLE, folder, dirs_exist_ok=True)
    (folder / "blogs" / "2025-08-01-taller-de-seguridad-digital.md").write_text(
        "---\ntitle: Taller de seguridad digital\ndate: 2025-08-01\n---\n"
        f"El taller de seguridad digital enseñó a crear contraseñas seguras. {PAYLOAD}\n",
        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def page_origin():
    """A static page on another port that holds nothing but the script line."""
    port = free_port()
    return port, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def site(content, page_origin, settings, embedder, tmp_path_factory):
    import dataclasses

    s = dataclasses.replace(settings, allowed_origins=(page_origin[1],))
    index = build_index(content, tmp_path_factory.mktemp("widget-index"), s,
                        embedder=embedder)
    qlog = QuestionLog(tmp_path_factory.mktemp("log") / "q.sqlite")
    with serving(create_site(index, qlog=qlog)) as base:
        yield base, qlog


def test_widget_script_is_small_cached_and_versioned(fake_index):
    client = TestClient(create_site(fake_index, qlog=None))
    r = client.get("/widget.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert len(gzip.compress(r.content)) <= 15 * 1024
    assert "max-age" in r.headers["cache-control"] and r.headers["etag"]
    assert "Pregúntenos" in r.text and "__ASKPOSTS_TEXT__" not in r.text
    assert "innerHTML" not in r.text and "eval(" not in r.text and "document.cookie" not in r.text
    again = client.get("/widget.js", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


@pytest.fixture(scope="module")
def browser(site, page_origin, tmp_path_factory):
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make install-test` installs it")
        pytest.skip("chromium is not installed (make install-test installs it)")
    from playwright.sync_api import sync_playwright

    base, _ = site
    folder = tmp_path_factory.mktemp("page")
    (folder / "index.html").write_text(
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Sitio</title><style>button{background:red!important}</style></head>'
        f'<body><h1>Nuestro sitio</h1><script src="{base}/widget.js" defer></script>'
        '</body></html>', encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", page_origin[0]), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update"])
        yield chromium
        chromium.close()
    server.shutdown()


def _open(browser, origin, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(origin + "/index.html")
    page.get_by_role("button", name="Pregúntenos").click()
    return page


def _ask(page, question):
    page.get_by_label("Su pregunta").fill(question)
    page.keyboard.press("Enter")
    page.locator("#askposts-panel .a").last.wait_for(timeout=20_000)


def test_widget_answers_with_a_linked_citation_and_closes_with_esc(browser, page_origin,
                                                                   site):
    page = _open(browser, page_origin[1], 1280, 800)
    _ask(page, "¿Con qué mancomunidad de municipios firmamos un convenio en Quetzaltenango?")
    cite = page.locator("#askposts-panel ol a").first
    assert cite.get_attribute("href").startswith(SITE + "/")
    page.screenshot(path=str(SHOTS / "screenshot-widget-desktop.png"))
    assert page.get_by_label("Su pregunta").input_value() == ""
    page.get_by_role("button", name="👍 Sí").first.click()
    page.get_by_text("Gracias").wait_for()
    page.keyboard.press("Escape")
    assert page.locator("#askposts-panel").is_hidden()
    focused = page.evaluate("document.querySelector('#askposts-widget')"
                            ".shadowRoot.activeElement.textContent")
    assert focused == "Pregúntenos"  # focus returns to the button
    _, qlog = site
    qlog.flush()
    assert any(r.useful is True for r in qlog.rows())


def test_markup_in_posts_and_questions_stays_inert(browser, page_origin):
    page = _open(browser, page_origin[1], 1280, 800)
    _ask(page, "contraseñas seguras en el taller de seguridad digital " + PAYLOAD)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    shadow = "document.querySelector('#askposts-widget').shadowRoot"
    assert page.evaluate(f"{shadow}.querySelectorAll('img, script').length") == 0
    assert "onerror" in page.locator("#askposts-panel .log").inner_text()  # shown as text


def test_on_a_phone_the_panel_fills_the_screen(browser, page_origin):
    page = _open(browser, page_origin[1], 390, 844)
    box = page.locator("#askposts-panel").bounding_box()
    assert box["width"] == 390 and box["height"] == 844
    _ask(page, "¿Qué es el presupuesto participativo?")
    page.screenshot(path=str(SHOTS / "screenshot-widget-phone.png"))


def test_when_refused_the_widget_says_so_waits_as_told_and_does_not_retry(browser,
                                                                          page_origin):
    page = _open(browser, page_origin[1], 1280, 800)
    sent = []

    def refuse(route):
        sent.append(route.request.url)
        route.fulfill(status=429, headers={
            "Retry-After": "2", "Access-Control-Allow-Origin": page_origin[1],
            "Access-Control-Expose-Headers": "Retry-After", "Content-Type": "application/json"},
            body='{"error": "Llegan demasiadas preguntas seguidas desde su conexión. '
                 'Espere 2 s y vuelva a preguntar."}')

    page.route("**/api/ask?*", refuse)
    page.get_by_label("Su pregunta").fill("¿Qué es el presupuesto participativo?")
    page.keyboard.press("Enter")
    page.get_by_text("Espere 2 s").wait_for(timeout=5_000)
    send = page.locator("#askposts-panel .send")
    assert send.is_disabled() and "s)" in send.inner_text()  # counting down
    page.keyboard.press("Enter")  # hurrying sends nothing
    assert page.get_by_label("Su pregunta").input_value() != ""  # the question stays
    page.wait_for_function("!document.querySelector('#askposts-widget').shadowRoot"
                           ".querySelector('.send').disabled", timeout=4_000)
    page.wait_for_timeout(500)
    assert len(sent) == 1 and send.inner_text() == "Preguntar"  # and nothing by itself
