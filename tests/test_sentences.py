"""The one sentence splitter, and an old index format asking for a rebuild."""
import json

import pytest

from askposts import IndexMismatch, open_index
from askposts.indexing.builder import Builder
from askposts.posts.corpus import build_post
from askposts.posts.sentences import post_sentences, sentence_spans


def texts(text, **kw):
    return [text[s:e] for s, e in sentence_spans(text, **kw)]


def test_spanish_abbreviations_do_not_end_sentences():
    text = ("El Lic. Juan Pérez y la Dra. Ana López visitaron el núm. 5 de la calle. "
            "Participaron 30 personas, p. ej. funcionarios. ¿Qué pasó después? Fin")
    assert texts(text) == [
        "El Lic. Juan Pérez y la Dra. Ana López visitaron el núm. 5 de la calle.",
        "Participaron 30 personas, p. ej. funcionarios.", "¿Qué pasó después?", "Fin"]


def test_a_lower_case_start_continues_the_sentence():
    assert texts("Llegó a las 3 p.m. a la sede. Luego se fue.") == [
        "Llegó a las 3 p.m. a la sede.", "Luego se fue."]


def test_spans_are_exact_and_trimmed_with_non_ascii():
    text = "  Año 2024: ¡Éxito en Cobán!  Ñandú — «sí».\u00a0Emoji 🎉 al final.  "
    spans = sentence_spans(text, 1, len(text) - 1)
    assert [text[s:e] for s, e in spans] == ["Año 2024: ¡Éxito en Cobán!", "Ñandú — «sí».",
                                             "Emoji 🎉 al final."]
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)


def test_an_overlong_sentence_is_cut_between_words():
    text = " ".join(f"palabra{i}" for i in range(250)) + "."
    spans = sentence_spans(text, max_words=100)
    assert [len(text[s:e].split()) for s, e in spans] == [100, 100, 50]
    assert " ".join(text[s:e] for s, e in spans) == text


def test_headings_are_not_sentences():
    post = build_post("blogs/x.md", {"title": "T"}, "# Título\n\nUna frase. Otra frase.", None)
    assert [post.text[s:e] for s, e in post_sentences(post)] == ["Una frase.", "Otra frase."]


def test_an_old_format_index_asks_for_a_rebuild(tmp_path, settings, fake_embedder):
    embedder = fake_embedder
    from conftest import SAMPLE

    builder = Builder(settings, embedder)
    gen, _ = builder.build(SAMPLE, tmp_path / "index")
    manifest = tmp_path / "index" / gen.name / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "format": 1}))
    with pytest.raises(IndexMismatch, match="--rebuild"):
        open_index(tmp_path / "index", settings, embedder)
    _, report = builder.build(SAMPLE, tmp_path / "index")  # an old index is rebuilt whole
    assert report.published and report.embedded == report.passages + report.windows
