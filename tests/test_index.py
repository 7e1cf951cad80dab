import json
import shutil

import pytest
from conftest import SAMPLE

import askposts
from askposts import Filters, QueryError, Settings, build_index, open_index
from askposts.indexing.folder import IndexFolder, IndexMissing
from askposts.indexing.generation import IndexMismatch


def test_search_returns_distinct_posts_with_fields(sample_index):
    hits = sample_index.search("¿cuántos días duró el taller de datos abiertos?", k=5)
    assert len(hits) == 5 and len({h.path for h in hits}) == 5
    top = hits[0]
    assert top.path == "blogs/2024-03-14-taller-de-datos-abiertos-en-cobán.md"
    assert top.url == "https://redciudadana.org/blogs/taller-de-datos-abiertos-en-cob%C3%A1n/"
    assert top.collection == "blogs" and top.date == "2024-03-14"
    post = {p.path: p for p in sample_index.posts}[top.path]
    assert post.text[top.start:top.end] == top.text
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    model = sample_index.generation.manifest["model"]
    assert (model["id"], model["dim"]) == ("intfloat/multilingual-e5-small", 384)


def test_filters_by_collection_and_date(fake_index):
    sample_index = fake_index
    hits = sample_index.search("datos abiertos municipales", k=10, collections=["proyectos"])
    assert hits and all(h.collection == "proyectos" for h in hits)
    hits = sample_index.search("datos abiertos", k=10, since="2025", until="2025-12")
    assert hits and all(h.date.startswith("2025") for h in hits)
    # a project dated "2023 y 2024" covers both years
    hits = sample_index.search("compras públicas", k=10, collections="proyectos", since="2024",
                               until="2024")
    assert "proyectos/2023-06-10-vigilancia-de-compras.md" in [h.path for h in hits]
    assert sample_index.search("datos", collections=["no-existe"]) == []
    assert sample_index.search("datos", filters=Filters.parse("proyectos", since="2024")) == \
        sample_index.search("datos", collections="proyectos", since="2024")


def test_bad_queries_are_clear_errors(fake_index):
    sample_index = fake_index
    with pytest.raises(QueryError, match="vacía"):
        sample_index.search("   ")
    with pytest.raises(QueryError, match="demasiado larga"):
        sample_index.search("x" * 501)
    with pytest.raises(ValueError, match="Fecha no válida"):
        sample_index.search("datos", since="ayer")
    with pytest.raises(QueryError):
        sample_index.search("datos", k=0)


def test_manifest_records_model_chunking_and_hashes(fake_index):
    sample_index = fake_index
    folder = IndexFolder(sample_index.folder.path).current()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model"] == {"id": "askposts/hash-64", "dim": 64, "precision": "fp32"}
    assert manifest["chunking"]["max_words"] == 250
    assert manifest["askposts_version"] == askposts.__version__
    assert len(manifest["files"]) == 10
    assert all(len(h) == 64 for h in manifest["files"].values())


def test_reopen_and_unchanged_rebuild_embeds_nothing(fake_index, settings, fake_embedder):
    sample_index, embedder = fake_index, fake_embedder
    again = build_index(SAMPLE, sample_index.folder.path, settings, embedder=embedder)
    assert again.report.embedded == 0 and not again.report.published
    reopened = open_index(sample_index.folder.path, settings, embedder)
    assert [h.path for h in reopened.search("hackatón")] == \
        [h.path for h in sample_index.search("hackatón")]


def test_other_model_is_refused_with_rebuild_hint(fake_index, settings, tmp_path):
    sample_index = fake_index
    other = Settings.load(config=tmp_path / "none.toml", env={}, model="otro/modelo")
    with pytest.raises(IndexMismatch, match="--rebuild"):
        open_index(sample_index.folder.path, other)


def test_other_dimension_is_refused(fake_index, settings, fake_embedder, tmp_path):
    sample_index, embedder = fake_index, fake_embedder
    copy = tmp_path / "idx"
    shutil.copytree(sample_index.folder.path, copy)
    gen = IndexFolder(copy).current()
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["model"]["dim"] = 768  # the embedder gives 64
    (gen / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatch, match="dimensiones"):
        open_index(copy, settings, embedder)


def test_missing_index_says_how_to_build(tmp_path, settings):
    with pytest.raises(IndexMissing, match="askposts index"):
        open_index(tmp_path / "vacío", settings)
