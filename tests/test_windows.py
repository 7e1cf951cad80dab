"""Answer units and windows: exact spans, lists kept with their lead-in, no heading crossed,
every window stored with its vector, reused by content, and the trimmed quote."""
import numpy as np
import pytest
from conftest import SAMPLE

from askposts.answering.candidates import Windows
from askposts.answering.judge import choose
from askposts.answering.query import Query
from askposts.indexing.builder import Builder
from askposts.posts.corpus import build_post
from askposts.posts.windows import WindowParams, post_units, post_windows, window_text

BODY = """Primera frase del texto. Segunda frase del texto.

Las actividades a realizar son las siguientes:

- Talleres de datos abiertos.
- Foros con autoridades.
- Una hackatón cívica.

## Resultados

Participaron 40 personas. Se publicó un informe."""


def units_of(body, params=WindowParams()):
    post = build_post("blogs/x.md", {"title": "T"}, body, None)
    return post, post_units(post, params)


def test_units_are_sentences_and_a_list_stays_with_its_lead_in():
    post, units = units_of(BODY)
    texts = [post.text[u.start:u.end] for u in units]
    assert texts[:2] == ["Primera frase del texto.", "Segunda frase del texto."]
    assert texts[2].startswith("Las actividades a realizar son las siguientes:")
    assert texts[2].endswith("Una hackatón cívica.") and "Foros con autoridades." in texts[2]
    assert texts[3:] == ["Participaron 40 personas.", "Se publicó un informe."]
    assert [u.section for u in units] == [0, 0, 0, 1, 1]  # the heading opens section 1


def test_a_list_too_long_for_its_lead_in_is_split_into_its_items():
    post, units = units_of(BODY, WindowParams(list_words=12))
    texts = [post.text[u.start:u.end] for u in units]
    assert texts[2] == "Las actividades a realizar son las siguientes: Talleres de datos abiertos." \
        or texts[2].endswith("Talleres de datos abiertos.")
    assert "Una hackatón cívica." in texts  # the items that did not fit are units of their own


def test_windows_hold_one_to_three_units_and_never_cross_a_heading():
    post, units = units_of(BODY)
    windows = post_windows(post, units)
    assert (0, 1) in windows and (0, 2) in windows and (0, 3) in windows
    assert all(n <= 3 for _, n in windows)
    for first, n in windows:
        assert len({units[i].section for i in range(first, first + n)}) == 1
        if n > 1:
            assert len(post.text[units[first].start:units[first + n - 1].end].split()) <= 70
    assert (2, 2) not in windows  # the list's unit and the next section's first sentence
    assert [(f, n) for f, n in windows if n == 1] == [(i, 1) for i in range(len(units))]


def test_a_long_window_is_left_out_but_its_single_units_stay():
    long = "Una " + " ".join(["palabra"] * 50) + "."
    post, units = units_of(f"{long} {long} Corta.")
    windows = post_windows(post, units)
    assert windows == [(0, 1), (1, 1), (1, 2), (2, 1)]  # 102 words together: too long


def test_the_index_stores_every_window_with_its_vector(fake_index, fake_embedder):
    gen = fake_index.generation
    assert len(gen.windows) > len(gen.units) > len(gen.posts)
    for w in (0, len(gen.windows) // 2, len(gen.windows) - 1):
        post = gen.posts[int(gen.window_post[w])]
        start, end = int(gen.window_start[w]), int(gen.window_end[w])
        assert gen.window(w) == post.text[start:end]
        fresh = fake_embedder.embed_passages([window_text(post, start, end)])[0]
        assert float(fresh @ gen.window_vectors[w]) > 0.995
    np.testing.assert_array_equal(np.diff(gen.window_post) >= 0, True)  # grouped by post
    for u in range(len(gen.units)):  # every unit is a window of its own
        first, n = gen.windows[gen.unit_window[u]]
        assert (first, n) == (u, 1)


def test_windows_are_reused_by_content(tmp_path, settings, fake_embedder):
    import shutil

    site = tmp_path / "site"
    shutil.copytree(SAMPLE, site)
    builder = Builder(settings, fake_embedder)
    _, first = builder.build(site, tmp_path / "index")
    post = next(site.glob("proyectos/*salud.md"))
    post.write_text(post.read_text() + "\nUna frase nueva al final del proyecto.\n")
    gen, report = builder.build(site, tmp_path / "index")
    # The new sentence's windows (1 to 3 units) and the passage that holds it; nothing else.
    assert 1 <= report.embedded <= 4, report.embedded
    assert report.reused == report.passages + report.windows - report.embedded


@pytest.fixture
def candidates(fake_index):
    gen = fake_index.generation
    query = Query.parse("actividades del taller", gen, fake_index._analyzer,
                        fake_index.embedder.embed_query("actividades del taller"))
    sc = fake_index._rank(gen, query, None)
    from askposts.answering.rank import top_posts

    return Windows(gen, query, top_posts(sc, 5), sc)


def test_the_quote_is_trimmed_while_the_rest_scores_within_the_margin(candidates):
    c = candidates
    three = int(np.flatnonzero(c.size == 3)[0])
    logits = np.zeros(len(c))
    logits[three] = 2.0
    first_unit = c.gen.windows[c.ids[three], 0]
    keep = int(np.flatnonzero(c.ids == c.gen.unit_window[first_unit + 1])[0])  # its middle
    pair = int(np.flatnonzero(c.ids == c.gen.unit_window[first_unit + 1] + 1)[0])  # 2nd+3rd
    logits[pair], logits[keep] = 1.8, 1.5
    assert choose(c, logits, trim=0.0) == three  # nothing may be lost: the whole window
    assert choose(c, logits, trim=0.3) == pair  # its first unit adds 0.2: dropped
    assert choose(c, logits, trim=0.6) == keep  # then its last unit too
    assert c.size[choose(c, logits, trim=0.6)] == 1


def test_a_request_reads_the_generation_once_even_for_a_follow_up(fake_index, settings,
                                                                   fake_embedder, monkeypatch):
    """A follow-up reads the previous question's answer on the same generation as itself."""
    from askposts import open_index
    from askposts.index import Index

    index = open_index(fake_index.folder.path, settings, fake_embedder)  # empty caches
    reads = []
    real = Index.generation.fget
    monkeypatch.setattr(Index, "generation",
                        property(lambda self: reads.append(1) or real(self)))
    answer = index.ask("¿y cuándo fue?", history=["taller de datos abiertos en Cobán"])
    assert len(reads) == 1 and answer.question == "¿y cuándo fue?"
    asked = [key for key in index._results._data if key[1] == "ask"]
    assert len(asked) == 2 and {key[0] for key in asked} == {real(index).name}


def test_the_date_and_link_notes_come_from_the_cited_post(fake_index):
    from askposts.answering.quote import post_note as date_note
    from askposts.records import Hit

    gen = fake_index.generation

    def query(text):
        return Query.parse(text, gen, fake_index._analyzer, np.zeros(fake_index.embedder.dim))

    hit = Hit("blogs/x.md", "T", None, "2022-03-03", "blogs", 1.0, "El taller fue un éxito.",
              "", 0, 10)
    assert date_note(query("¿Cuándo fue el taller?"), hit) == "publicado el 3 de marzo de 2022"
    assert date_note(query("¿En qué año fue el taller?"), hit) == "publicado el 3 de marzo de 2022"
    assert date_note(query("¿Qué se hizo en el taller?"), hit) == ""  # not asked when
    dated = Hit(**{**hit.__dict__, "text": "El taller fue el 5 de mayo de 2021."})
    assert date_note(query("¿Cuándo fue el taller?"), dated) == ""  # the quote says it
    linked = Hit(**{**hit.__dict__, "link": "https://datos.ejemplo.org/"})
    assert date_note(query("¿Dónde puedo ver los datos del taller?"), linked) == \
        "enlace: https://datos.ejemplo.org/"
    assert date_note(query("¿Dónde puedo ver los datos del taller?"), hit) == ""  # no link
    quoted = Hit(**{**linked.__dict__, "text": "Los datos están en https://datos.ejemplo.org/."})
    assert date_note(query("¿Dónde puedo ver los datos del taller?"), quoted) == ""


def test_unit_signals_come_from_per_post_tables_equal_to_each_units_own(fake_index,
                                                                        monkeypatch):
    """The per-post tables the window signals read (built once per post, not per question)
    hold, unit by unit, what each unit's own text gives."""
    from askposts.answering.candidates import PostUnits
    from askposts.answering.rank import top_posts

    gen = fake_index.generation
    gen._memo_cache.clear()
    built, seen = [], set()
    real = PostUnits.of.__func__
    monkeypatch.setattr(PostUnits, "of", classmethod(
        lambda cls, g, p: built.append(p) or real(cls, g, p)))
    for text in ("actividades del taller", "¿Cuántas personas participaron?",
                 "¿Quién organizó la hackatón?", "¿No hubo talleres en Cobán?"):
        query = Query.parse(text, gen, fake_index._analyzer,
                            fake_index.embedder.embed_query(text))
        sc = fake_index._rank(gen, query, None)
        c = Windows(gen, query, top_posts(sc, 5), sc)
        units = [int(u) for u in c.uids]
        own = [gen.unit_terms(u) for u in units]
        assert c.tf.tolist() == [[counts.get(t, 0) for t in c.terms] for counts in own]
        assert c.unit_length.tolist() == [sum(counts.values()) for counts in own]
        assert c.unit_words.tolist() == [len(gen.unit(u).split()) for u in units]
        assert c.unit_colon.tolist() == [gen.unit(u).rstrip().endswith(":") for u in units]
        assert len(c.unit_kind) == len(c.unit_negates) == len(units)
        seen |= {int(p) for p in c.posts}
    assert sorted(built) == sorted(seen)  # one table per post, however many questions
