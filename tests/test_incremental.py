"""Incremental builds: only what changed is embedded, and the result equals a full rebuild."""
import shutil

import pytest
from conftest import SAMPLE
from test_determinism import assert_same_files

from askposts.indexing.builder import Builder
from askposts.indexing.folder import IndexBusy, IndexFolder


@pytest.fixture()
def site(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    return content


def test_add_update_rename_delete(site, tmp_path, settings, fake_embedder):
    builder = Builder(settings, fake_embedder)
    index = tmp_path / "index"
    _, first = builder.build(site, index)
    assert first.published and len(first.added) == 10
    assert first.embedded == first.passages + first.windows

    blog = site / "blogs" / "2024-06-02-presupuesto-participativo-explicado.md"
    blog.write_text(blog.read_text() + "\nUn párrafo nuevo sobre auditoría social.\n")
    (site / "blogs" / "2025-05-08-informe-anual-2024.md").rename(site / "blogs" / "informe.md")
    (site / "proyectos" / "2022-08-15-mapa-de-servicios-de-salud.md").unlink()
    (site / "blogs" / "nuevo.md").write_text("---\ntitle: Nuevo\n---\nTexto nuevo del blog.")
    gen, report = builder.build(site, index)
    assert report.updated == ["blogs/2024-06-02-presupuesto-participativo-explicado.md"]
    assert report.renamed == [("blogs/2025-05-08-informe-anual-2024.md", "blogs/informe.md")]
    assert report.removed == ["proyectos/2022-08-15-mapa-de-servicios-de-salud.md"]
    assert report.added == ["blogs/nuevo.md"] and report.unchanged == 7
    # The edited passage, its new windows and the new post; nothing for the rename.
    assert 2 <= report.embedded <= 8

    _, again = builder.build(site, index)
    assert not again.published and again.embedded == 0

    full, _ = builder.build(site, tmp_path / "full", rebuild=True)
    assert [p.to_dict() for p in gen.posts] == [p.to_dict() for p in full.posts]
    assert gen.passages == full.passages
    assert_same_files(index, tmp_path / "full")  # every array and table, byte for byte


def test_second_build_waits_or_stops_clearly(site, tmp_path, settings, fake_embedder):
    folder = IndexFolder(tmp_path / "index")
    with folder.lock():
        with pytest.raises(IndexBusy, match="Otro proceso"):
            Builder(settings, fake_embedder).build(site, folder.path)


def test_old_generations_and_leftovers_are_cleaned(site, tmp_path, settings, fake_embedder):
    builder = Builder(settings, fake_embedder)
    index = tmp_path / "index"
    for i in range(4):
        (site / "blogs" / "x.md").write_text(f"---\ntitle: Versión {i}\n---\nTexto {i}.")
        builder.build(site, index)
    (index / "gen-leftover.tmp").mkdir()
    folder = IndexFolder(index)
    with folder.lock():
        folder.cleanup(keep=2, min_age=0)
    gens = sorted(p.name for p in index.glob("gen-*"))
    assert len(gens) == 2 and folder.current_name() in gens
