import numpy as np

from askposts.posts.periods import affinity, mentioned_periods, post_periods
from askposts.records import Post
from askposts.spanish.patterns import asked_kind, has_kind


def test_asked_kind():
    assert asked_kind("¿Cuántas personas asistieron?") == "count"
    assert asked_kind("cuanto cuesta el pasaporte") == "money"
    assert asked_kind("¿Cuánto le pagábamos al consultor?") == "money"
    assert asked_kind("¿Cuándo fue el encuentro?") == "date"
    assert asked_kind("¿Desde cuándo trabajamos en esto?") == "year"
    assert asked_kind("¿A qué hora eran las clases?") == "time"
    assert asked_kind("¿Quién presentó los resultados?") == "person"
    assert asked_kind("¿A quién está dirigido?") is None
    assert asked_kind("¿Dónde se hizo el lanzamiento?") == "place"
    assert asked_kind("¿Dónde encuentro los videos?") == "link"
    assert asked_kind("¿Qué es justicia abierta?") is None


def test_has_kind():
    assert has_kind("count", "Participaron 32 personas de nueve municipios")
    assert not has_kind("count", "Será los días 21 y 22 de noviembre de 2023")
    assert not has_kind("count", "En 2024 firmamos una alianza")
    assert has_kind("date", "Será el 21 de noviembre") and not has_kind("date", "En 2024")
    assert has_kind("year", "desde 2019")
    assert has_kind("money", "Cuesta Q150 por persona") and has_kind("money", "USD 10,000")
    assert not has_kind("money", "cuesta mucho esfuerzo")
    assert has_kind("time", "de 16 a 18 horas") and has_kind("time", "a las 9:30")
    assert has_kind("person", "La presentó Julio Herrera ayer", "¿quién la presentó?")
    assert not has_kind("person", "El gabinete de Bernardo Arévalo", "gabinete de Bernardo Arévalo")
    assert has_kind("place", "Se realizó en la Universidad Rafael Landívar")


def test_periods_and_affinity():
    assert mentioned_periods("¿Qué hicimos en marzo de 2023 y en 2024?") == [(2023, 3), (2024, 0)]
    assert mentioned_periods("sin fechas") == []
    posts = post_periods([Post(f"b/{i}.md", "b", "t", date=d, years=y) for i, (d, y) in
                          enumerate([("2023-03-10", ()), ("2023-04-01", ()), ("2023-09-01", ()),
                                     ("2024", (2024,)), (None, ())])])
    np.testing.assert_allclose(affinity([(2023, 3)], posts), [1.0, 0.8, 0.3, 0.0, 0.0])
    np.testing.assert_allclose(affinity([(2024, 0)], posts), [0, 0, 0, 0.6, 0])


def _name_span_says(text: str, question: str) -> bool:
    from askposts.spanish.patterns import _name_span, question_words

    return _name_span(text, question_words(question)) is not None


def test_name_pairs_agree_with_the_name_scan_on_the_real_posts(corpus_dir):
    # The per-sentence pairs (kept once per sentence) must say what the scan of the sentence
    # against the question said, for every line of the real posts and questions that share
    # words with them (names in the question, a name broken by a question word).
    from askposts.spanish.patterns import has_name, name_pairs, question_words

    lines = [line for path in sorted(corpus_dir.rglob("*.md"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) > 1000
    questions = ["¿quién lo presentó?", "¿Quién dirige Red Ciudadana?",
                 "¿quiénes participaron con la Universidad Rafael Landívar?",
                 "¿Qué organización apoyó Guatemala Visible y el Congreso de la República?"]
    checked = found = 0
    for line in lines:
        pairs = name_pairs(line)
        for question in questions + [line[:60]]:
            said = has_name(pairs, question_words(question))
            assert said == _name_span_says(line, question), (line, question)
            checked, found = checked + 1, found + said
    assert 0 < found < checked  # both answers occur
    assert has_name(name_pairs("Con Ana de la Cruz"), frozenset())
    assert not has_name(name_pairs("Con Ana, y Cruz"), frozenset())
    assert not has_name(name_pairs("Ana Lucía Cruz"), question_words("¿lucía?"))


def test_the_kind_is_the_one_asked_first_and_links_are_a_kind():
    assert asked_kind("¿Cuántas bases de datos tenía el portal cuando lo lanzaron?") == "count"
    assert asked_kind("¿Cuándo se publicaron cuántos informes?") == "date"
    assert asked_kind("¿Dónde puedo ver los videos del foro?") == "link"
    assert asked_kind("link del portal de datos abiertos") == "link"
    assert asked_kind("¿Dónde se hizo el foro?") == "place"
    assert has_kind("link", "Visite sjs.redciudadana.org/ para más datos")
    assert not has_kind("link", "Visite nuestra página para más datos")
