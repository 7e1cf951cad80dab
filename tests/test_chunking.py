import pytest
from conftest import SITE

from askposts.posts.chunking import ChunkParams, split_post
from askposts.posts.corpus import build_post, load_corpus


def make(body, title="Título"):
    return build_post("blogs/x.md", {"title": title}, body, None)


@pytest.fixture(scope="module")
def real_passages(corpus_dir):
    corpus = load_corpus(corpus_dir, SITE)
    return corpus, [(post, x) for post in corpus.posts for x in split_post(post)]


def test_offsets_slice_the_post_text(real_passages):
    _, pairs = real_passages
    assert len(pairs) > 300
    for post, passage in pairs:
        assert post.text[passage.start:passage.end] == passage.text


def test_passage_sizes_stay_within_limits(real_passages):
    corpus, pairs = real_passages
    params = ChunkParams()
    sizes = [len(x.text.split()) for _, x in pairs]
    assert max(sizes) <= params.hard_max_words
    # Only posts too short to fill one passage produce passages under the minimum.
    for post, passage in pairs:
        if len(passage.text.split()) < params.min_words // 3:
            assert len(post.text.split()) < params.min_words or passage.heading


def test_long_paragraphs_split_between_sentences():
    sentence = "Esta es una oración de prueba con varias palabras distintas. "
    post = make(sentence * 80)  # one 800-word paragraph
    passages = split_post(post, ChunkParams(120, 250, 300))
    assert len(passages) >= 3
    for p in passages:
        assert p.text.endswith(".")
        assert p.text.startswith("Esta es")
        assert len(p.text.split()) <= 250


def test_headings_start_passages_and_are_recorded():
    para = "Palabra " * 130 + "fin."
    post = make(f"## Primera\n\n{para}\n\n## Segunda\n\n{para}")
    passages = split_post(post)
    assert [p.heading for p in passages] == ["Primera", "Segunda"]
    assert passages[1].text.startswith("Segunda")


def test_sentence_longer_than_hard_limit_is_cut_between_words():
    post = make("palabra " * 700)
    passages = split_post(post, ChunkParams(120, 250, 300))
    assert all(len(p.text.split()) <= 300 for p in passages)
    assert sum(len(p.text.split()) for p in passages) == 700


def test_post_without_text_gets_one_title_passage():
    post = make("", title="Solo título")
    [passage] = split_post(post)
    assert passage.text == "" and passage.embedding_text(post.title) == "Solo título"


def test_embedding_text_includes_title_and_heading():
    post = make("## Plazos\n\nDiez días hábiles.")
    [passage] = split_post(post)
    assert passage.embedding_text("Guía") == "Guía\nPlazos\n\nDiez días hábiles."
    later = passage.__class__("x", "Plazos", 0, 5, "Diez.")
    assert later.embedding_text("Guía") == "Guía. Plazos\nDiez."
