import numpy as np

from askposts.evidence import asked_kind, has_kind
from askposts.periods import affinity, mentioned_periods, post_periods
from askposts.records import Post


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
    assert asked_kind("¿Dónde encuentro los videos?") is None
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
