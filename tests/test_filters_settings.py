import datetime as dt

import pytest

from askposts import Settings
from askposts.filters import FilterError, parse_bound, post_mask
from askposts.records import Post


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
    assert post_mask(posts) is None
    assert post_mask(posts, ["b"]).tolist() == [False, True, True, False]
    assert post_mask(posts, since="2020").tolist() == [True, False, True, False]
    assert post_mask(posts, until="2019-06").tolist() == [False, True, True, False]
    with pytest.raises(FilterError, match="posterior"):
        post_mask(posts, since="2024", until="2023")


def test_settings_layers(tmp_path):
    config = tmp_path / "askposts.toml"
    config.write_text('site_url = "https://a.org"\nbatch_size = 7\nport = 9000\n')
    s = Settings.load(config, env={"ASKPOSTS_PORT": "9100"}, batch_size=None)
    assert (s.site_url, s.batch_size, s.port) == ("https://a.org", 7, 9100)
    assert Settings.load(config, env={}, site_url="https://b.org").site_url == "https://b.org"
    assert Settings.load(tmp_path / "none.toml", env={}).site_url == ""


def test_settings_reject_unknown_and_bad_values(tmp_path):
    config = tmp_path / "askposts.toml"
    config.write_text('sitio = "x"\n')
    with pytest.raises(ValueError, match="desconocidas en la configuración: sitio"):
        Settings.load(config, env={})
    with pytest.raises(ValueError, match="port"):
        Settings.load(tmp_path / "none.toml", env={"ASKPOSTS_PORT": "muchos"})
