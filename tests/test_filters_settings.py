import datetime as dt

import pytest

from askposts import Settings, SettingsError
from askposts.filters import FilterError, Filters, parse_bound
from askposts.posts.schema import SiteSchema
from askposts.records import Period, Post


def test_bounds_cover_whole_periods():
    assert parse_bound("2024", upper=False) == dt.date(2024, 1, 1)
    assert parse_bound("2024", upper=True) == dt.date(2024, 12, 31)
    assert parse_bound("2024-02", upper=True) == dt.date(2024, 2, 29)
    assert parse_bound("2024-12", upper=True) == dt.date(2024, 12, 31)
    assert parse_bound("2024-02-03", upper=False) == dt.date(2024, 2, 3)
    with pytest.raises(FilterError):
        parse_bound("2024-13", upper=False)


def test_mask_by_collection_and_dates():
    posts = [Post("a/1.md", "a", "1", date="2023-05-01"),
             Post("b/2.md", "b", "2", date="2019", years=(2019,)),
             Post("b/3.md", "b", "3", date="2018", years=(2018, 2022)),
             Post("c/4.md", "c", "4")]
    assert Filters().mask(posts) is None and not Filters.parse(" ", [], "", None)
    assert Filters.parse(["b"]).mask(posts).tolist() == [False, True, True, False]
    assert Filters.parse(since="2020").mask(posts).tolist() == [True, False, True, False]
    assert Filters.parse(until="2019-06").mask(posts).tolist() == [False, True, True, False]
    with pytest.raises(FilterError, match="posterior"):
        Filters.parse(since="2024", until="2023")


def test_filters_are_one_hashable_value():
    a = Filters.parse(["b", "a", "a"], "Datos", since="2023", until="2023-02")
    b = Filters.of(collections=("a", "b"), programmes=["Datos"], since=dt.date(2023, 1, 1),
                   until="2023-02")
    assert a == b and hash(a) == hash(b) and Filters.of(a) is a
    assert a.to_dict() == {"collections": ["a", "b"], "programmes": ["Datos"],
                           "since": "2023-01-01", "until": "2023-02-28"}
    post = Post("a/1.md", "a", "1", date="2023-02-10", programme="Datos")
    assert a.admits(post) and not a.admits(Post("a/2.md", "a", "2", date="2023-02-10"))
    with pytest.raises(TypeError):
        Filters.of(colecciones="a")
    with pytest.raises(TypeError):
        Filters.of(a, since="2020")


def test_post_date_is_parsed_once_into_a_period():
    day = Post("a/1.md", "a", "1", date="2023-05-01")
    assert day.period == Period(dt.date(2023, 5, 1), dt.date(2023, 5, 1), 2023, 5)
    assert day.period is day.period  # cached on the frozen post
    years = Post("b/3.md", "b", "3", date="2018", years=(2018, 2022))
    assert years.period == Period(dt.date(2018, 1, 1), dt.date(2022, 12, 31), 2018, 0)
    assert Post("c/4.md", "c", "4").period is None
    assert Post.from_dict(day.to_dict()) == day and "period" not in day.to_dict()


def test_site_schema_from_config(tmp_path):
    config = tmp_path / "askposts.toml"
    config.write_text('[schema]\ntitle = ["nombre"]\nprogramme = "area"\n')
    s = Settings.load(config, env={})
    assert s.schema.title == ("nombre",) and s.schema.programme == ("area",)
    assert s.schema.summary == SiteSchema().summary  # the rest keeps its default
    env = Settings.load(tmp_path / "none.toml", env={"ASKPOSTS_SCHEMA": '{"date": ["fecha"]}'})
    assert env.schema.date == ("fecha",)
    with pytest.raises(SettingsError):
        Settings.load(tmp_path / "none.toml", env={"ASKPOSTS_SCHEMA": '{"titulo": "x"}'})


def test_settings_layers(tmp_path):
    config = tmp_path / "askposts.toml"
    config.write_text('site_url = "https://a.org"\ncandidates = 7\nport = 9000\n')
    s = Settings.load(config, env={"ASKPOSTS_PORT": "9100"}, candidates=None)
    assert (s.site_url, s.candidates, s.port) == ("https://a.org", 7, 9100)
    assert Settings.load(config, env={}, site_url="https://b.org").site_url == "https://b.org"
    assert Settings.load(tmp_path / "none.toml", env={}).site_url == ""


def test_retired_options_are_ignored_with_a_warning(tmp_path, caplog):
    config = tmp_path / "askposts.toml"
    config.write_text('batch_size = 32\nquery_batch = 4\nport = 9000\n')
    with caplog.at_level("WARNING"):
        s = Settings.load(config, env={})
    assert s.port == 9000 and not hasattr(s, "batch_size")
    assert "batch_size, query_batch" in caplog.text and "ya no usa" in caplog.text


def test_settings_reject_unknown_and_bad_values(tmp_path):
    config = tmp_path / "askposts.toml"
    config.write_text('sitio = "x"\n')
    with pytest.raises(ValueError, match="desconocidas en la configuración: sitio"):
        Settings.load(config, env={})
    with pytest.raises(ValueError, match="port"):
        Settings.load(tmp_path / "none.toml", env={"ASKPOSTS_PORT": "muchos"})
    with pytest.raises(ValueError, match="candidates: 0 .debe ser un entero mayor que 0"):
        Settings.load(tmp_path / "none.toml", env={"ASKPOSTS_CANDIDATES": "0"})
    with pytest.raises(ValueError, match="hnsw_m"):
        Settings(hnsw_m=-2)
