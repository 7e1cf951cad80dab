"""The examples in docs/ run as written (against content/, the sample posts)."""
import contextlib
import io
import re
import shlex
import shutil
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, SAMPLE
from fastapi.testclient import TestClient

DOCS = ROOT / "docs"


def blocks(page: str, lang: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    shutil.copytree(SAMPLE, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_python_block(code: str, namespace: dict) -> None:
    """Run code; a ``# text`` line after code is the output that code must print."""
    pending, expected = [], []

    def flush():
        if not pending:
            return
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec("\n".join(pending), namespace)  # noqa: S102 - our own documentation
        if expected:
            assert out.getvalue().strip().splitlines() == expected, "\n".join(pending)
        pending.clear()
        expected.clear()

    for line in code.splitlines():
        if line.startswith("# "):
            expected.append(line[2:])
        else:
            if expected:
                flush()
            pending.append(line)
    flush()


def test_python_api_page(workdir, embedder, monkeypatch):
    import askposts

    # Reuse the session's loaded model instead of loading it again.
    build, open_ = askposts.build_index, askposts.open_index
    monkeypatch.setattr(askposts, "build_index",
                        lambda *a, **k: build(*a, **{"embedder": embedder, **k}))
    monkeypatch.setattr(askposts, "open_index", lambda *a, **k: open_(*a, embedder=embedder, **k))
    namespace = {}
    for code in blocks("python-api.md", "python"):
        run_python_block(code, namespace)
    assert "answer" in namespace


@pytest.mark.slow  # real model or ../shared
def test_cli_page(workdir, capsys):
    from askposts.cli import main

    lines = [ln for code in blocks("cli.md", "bash") for ln in code.splitlines()]
    ran = 0
    for line in lines:
        args = shlex.split(line)[1:]
        if args[0] in ("serve", "watch", "eval"):  # long-running, or needs ../shared: elsewhere
            continue
        assert main(args) in (0, 1), line
        ran += 1
    assert ran == 6
    assert "Taller de datos abiertos en Cobán" in capsys.readouterr().out


def test_http_page(sample_index):
    from askposts.serving.http import create_api
    from askposts.serving.service import AskService

    client = TestClient(create_api(AskService(sample_index)))
    urls = re.findall(r'curl "([^"]+)"', "".join(blocks("http-api.md", "bash")))
    assert len(urls) == 6
    for url in urls:
        parts = urlsplit(url)
        response = client.get(parts.path + "?" + parts.query if parts.query else parts.path)
        assert response.status_code == 200, url


def test_settings_page_schema_is_the_default():
    import tomllib

    from askposts import SiteSchema

    toml = next(b for b in blocks("settings.md", "toml") if "[schema]" in b)
    assert SiteSchema.from_dict(tomllib.loads(toml)["schema"]) == SiteSchema()
