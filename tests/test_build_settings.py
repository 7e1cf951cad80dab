"""An index remembers how it was built: rebuilds keep it unless told otherwise, and an index of
the previous format says what to do (``indexing.recorded``)."""
from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, SAMPLE, SITE
from fastapi.testclient import TestClient

from askposts import IndexMismatch, Settings, build_index, open_index
from askposts.serving.http import create_api
from askposts.serving.service import AskService

FORMAT2 = ROOT / "tests" / "fixtures" / "index-format2"  # written by askposts at ca406d6^


def settings(**values) -> Settings:
    return Settings.load(config=ROOT / "no-config.toml", env=values.pop("env", {}), **values)


def urls(index) -> set[str]:
    return {(p.url or "").split("/", 3)[2] if p.url else "" for p in index.generation.posts}


def test_a_rebuild_without_the_site_url_keeps_every_link(tmp_path, fake_embedder):
    site, folder = tmp_path / "site", tmp_path / "index"
    shutil.copytree(SAMPLE, site)
    first = build_index(site, folder, settings(site_url=SITE), embedder=fake_embedder)
    assert urls(first) == {"redciudadana.org"}
    # `serve --content` at start, nothing changed: nothing is rebuilt.
    again = build_index(site, folder, settings(), embedder=fake_embedder)
    assert not again.report.published and again.report.changed == {}
    # A post edited, rebuilt with no URL given (watch, the webhook, a cron job).
    post = next(site.rglob("*.md"))
    post.write_text(post.read_text(encoding="utf-8") + "\nOtro párrafo.\n", encoding="utf-8")
    edited = build_index(site, folder, settings(), embedder=fake_embedder)
    assert edited.report.published and edited.report.changed == {}
    assert urls(edited) == {"redciudadana.org"}
    hits = edited.search("presupuesto participativo", k=5)
    assert len(hits) == 5 and all(h.url.startswith(SITE) for h in hits)
    health = TestClient(create_api(AskService(edited))).get("/api/health").json()
    assert health["build"]["site_url"] == SITE and health["build_changed"] == {}


def test_an_explicit_other_value_is_applied_and_announced_once(tmp_path, fake_embedder,
                                                               caplog, capsys):
    from askposts.cli import main

    folder = tmp_path / "index"
    build_index(SAMPLE, folder, settings(site_url=SITE), embedder=fake_embedder)
    with caplog.at_level("WARNING"):
        assert main(["index", str(SAMPLE), "--index", str(folder), "--site-url",
                     "https://nuevo.org"], fake_embedder) == 0
    said = capsys.readouterr().out
    assert "site_url = 'https://redciudadana.org'" in said and "https://nuevo.org" in said
    assert "https://nuevo.org" in caplog.text
    changed = open_index(folder, settings(), fake_embedder)
    assert urls(changed) == {"nuevo.org"}
    health = TestClient(create_api(AskService(changed))).get("/api/health").json()
    assert health["build_changed"] == {"site_url": [SITE, "https://nuevo.org"]}
    # The next build, told nothing, keeps the new value and announces nothing.
    after = build_index(SAMPLE, folder, settings(), embedder=fake_embedder, rebuild=True)
    assert after.report.changed == {} and urls(after) == {"nuevo.org"}
    assert after.generation.manifest["build_changed"] == {}
    # Set explicitly to nothing (here by the environment): applied and announced too.
    cleared = build_index(SAMPLE, folder, settings(env={"ASKPOSTS_SITE_URL": ""}),
                          embedder=fake_embedder)
    assert cleared.report.changed == {"site_url": ["https://nuevo.org", ""]}
    assert urls(cleared) == {""}


def test_an_index_of_the_previous_format_says_to_rebuild_and_is_rebuilt(tmp_path,
                                                                        fake_embedder):
    folder = tmp_path / "index"
    shutil.copytree(FORMAT2, folder)
    with pytest.raises(IndexMismatch) as err:
        open_index(folder, settings(), fake_embedder)
    assert "formato antiguo (2)" in str(err.value) and "--rebuild" in str(err.value)
    # `askposts index` / `serve --content` rebuild it by themselves, with its site URL.
    index = build_index(SAMPLE, folder, settings(), embedder=fake_embedder)
    assert index.report.published and urls(index) == {"redciudadana.org"}
    assert open_index(folder, settings(), fake_embedder).generation.name == \
        index.generation.name
