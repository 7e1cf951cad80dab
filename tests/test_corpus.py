import unicodedata

import pytest
from conftest import SITE

from askposts.posts.corpus import build_post, load_corpus
from askposts.posts.permalinks import file_slug
from askposts.posts.schema import SiteSchema


def write(folder, rel, text, mode="w"):
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def real(corpus_dir):
    return load_corpus(corpus_dir, SITE)


def test_every_real_markdown_file_loads(real):
    assert len(real.posts) == 163
    assert [p for p in real.problems if p.skipped] == []
    assert all(p.path == unicodedata.normalize("NFC", p.path) for p in real.posts)
    assert not any(p.path.endswith(".json") for p in real.posts)


def test_nfd_and_no_break_space_names_are_reported_in_nfc(real):
    paths = {p.path for p in real.posts}
    assert "blogs/2024-05-13-firma-de-convenio-de-cooperación-entre\xa0red-ciudadana-y-el-" \
           "ministerio-de-finanzas-públicas.md" in paths
    assert "departamental/quiché.md" in paths


def test_schemas_are_normalised(real):
    by_path = {p.path: p for p in real.posts}
    blog = by_path["blogs/2022-03-08-cómo-lograr-impacto-aprendizajes-de-los-socios-de-"
                   "impactalatam.md"]
    assert blog.title == "Cómo lograr impacto: aprendizajes de los socios de ImpactaLatam"
    assert blog.date == "2021-12-16" and blog.collection == "blogs"
    assert blog.summary.startswith("Durante la pandemia")
    project = by_path["proyectos/2022-03-08-alianza-por-la-democracia.md"]
    assert project.date == "2021" and project.years == (2021,)
    assert project.programme == "Fortalecimiento de Espacios Cívicos"
    assert project.summary.startswith("Este proyecto es un grupo")
    programme = by_path["programas/anticorrupcion.md"]
    assert programme.title == "Anticorrupción"
    assert "patrones de corrupción" in programme.text  # prose front-matter fields are indexed


def test_public_urls_follow_eleventy_permalinks(real):
    by_path = {p.path: p for p in real.posts}
    assert by_path["blogs/2023-02-07-proceso-de-formación-datos-abiertos.md"].url == \
        "https://redciudadana.org/blogs/proceso-de-formaci%C3%B3n-datos-abiertos/"
    assert by_path["estrategia_departamental/2022-07-05-estrategia-2022-2026.md"].url == \
        "https://redciudadana.org/estrategia_departamental/estrategia-2022-2026/Alta%20Verapaz/"
    # videos/ has no directory data: no permalink, so no URL (never a guessed one)
    assert all(p.url is None for p in real.posts if p.collection == "videos")


def test_no_site_url_means_no_urls(tmp_path):
    write(tmp_path, "blogs/blogs.json", '{"permalink": "blogs/{{ page.fileSlug }}/index.html"}')
    write(tmp_path, "blogs/2024-01-01-hola.md", "---\ntitle: Hola\n---\nTexto.")
    assert load_corpus(tmp_path).posts[0].url is None
    assert load_corpus(tmp_path, "https://x.org/").posts[0].url == "https://x.org/blogs/hola/"


def test_unknown_permalink_variable_gives_no_url(tmp_path):
    write(tmp_path, "a/a.json", '{"permalink": "a/{{ page.fileSlug }}/{{ region }}/index.html"}')
    write(tmp_path, "a/x.md", "---\ntitle: X\n---\nTexto.")
    write(tmp_path, "a/y.md", "---\ntitle: Y\nregion: Petén\n---\nTexto.")
    urls = {p.path: p.url for p in load_corpus(tmp_path, "https://x.org").posts}
    assert urls == {"a/x.md": None, "a/y.md": "https://x.org/a/y/Pet%C3%A9n/"}


def test_file_slug_drops_date_prefix():
    assert file_slug("blogs/2022-03-08-hola-mundo.md") == "hola-mundo"
    assert file_slug("blogs/guia/index.md") == "guia"


def test_html_is_stripped_and_headings_and_lists_kept():
    body = ("<!--StartFragment-->\n## Plazos\n\n- uno **dos**\n- [tres](http://x)\n\n"
            "<iframe src='x'>no</iframe><form><input>campo</form>"
            "<script>alert(1)</script><p>Texto\u200b final &amp; más</p>")
    post = build_post("b/x.md", {"title": "T"}, body, None)
    assert post.text.split("\n\n") == ["Plazos", "uno dos", "tres", "Texto final & más"]
    assert post.blocks[0].heading and not post.blocks[1].heading
    for block in post.blocks:
        assert post.text[block.start:block.end].strip()


def test_empty_body_post_is_kept_with_front_matter(real):
    by_path = {p.path: p for p in real.posts}
    project = by_path["proyectos/2022-03-08-mancoverapaz.md"]
    assert project.text.startswith("Fortalecimiento de servicios")


def test_bad_files_are_reported_and_the_rest_loads(tmp_path):
    write(tmp_path, "b/ok.md", "---\ntitle: Bien\n---\nTexto.")
    write(tmp_path, "b/yaml.md", "---\ntitle: [sin cerrar\n---\nTexto.")
    write(tmp_path, "b/open.md", "---\ntitle: Nunca cerrado\nTexto.")
    write(tmp_path, "b/latin1.md", "---\ntitle: Año\n---\nañ".encode("latin-1"))
    write(tmp_path, "b/binary.md", b"\x89PNG\x00\x00\x01")
    write(tmp_path, "b/empty.md", "")
    write(tmp_path, "b/big.md", "---\ntitle: Grande\n---\n" + "palabra " * 400_000)
    (tmp_path / "b" / "loop.md").symlink_to(tmp_path / "b" / "loop.md")
    corpus = load_corpus(tmp_path, max_bytes=1_000_000)
    assert [p.path for p in corpus.posts] == ["b/ok.md"]
    reasons = {p.path: p.reason for p in corpus.problems}
    assert "YAML inválido" in reasons["b/yaml.md"]
    assert "no está cerrado" in reasons["b/open.md"]
    assert "UTF-8" in reasons["b/latin1.md"]
    assert "binario" in reasons["b/binary.md"]
    assert "vacío" in reasons["b/empty.md"]
    assert "demasiado grande" in reasons["b/big.md"]
    assert "bucle" in reasons["b/loop.md"]


def test_missing_content_root_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No existe la carpeta"):
        load_corpus(tmp_path / "nope")


def test_another_site_schema_reads_its_own_keys():
    schema = SiteSchema(title=("nombre",), programme=("area",), date=("fecha",),
                        not_prose=SiteSchema().not_prose + ("interno",))
    meta = {"nombre": "Feria de datos", "area": "Datos abiertos", "fecha": "2024-05-02",
            "title": "no es el título aquí", "interno": "nota para el equipo que no se indexa",
            "objetivo": "Acercar los datos públicos a la ciudadanía."}
    post = build_post("eventos/feria.md", meta, "Cuerpo.", None, schema)
    assert (post.title, post.programme, post.date) == ("Feria de datos", "Datos abiertos",
                                                      "2024-05-02")
    assert "Acercar los datos" in post.text and "nota para el equipo" not in post.text
    assert "no es el título" in post.text  # a key this site gives no meaning is prose
    assert build_post("eventos/feria.md", meta, "Cuerpo.", None).title == "no es el título aquí"
