"""The plain-torch e5 forward (``encoder.BertEncoder``, what serving encodes questions with)
against sentence-transformers (what indexes are built with): same tokens, same vectors, same
rankings. And the setting that picks between them."""
from __future__ import annotations

from dataclasses import replace

import pytest

from askposts import Settings
from askposts.settings import SettingsError
from conftest import same_top5


def test_query_encoder_setting_is_checked():
    assert Settings.load(env={"ASKPOSTS_QUERY_ENCODER": "sentence-transformers"}) \
        .query_encoder == "sentence-transformers"
    with pytest.raises(SettingsError, match="query_encoder"):
        Settings(query_encoder="onnx")


@pytest.fixture(scope="module")
def encoders(settings):
    """Both encoders in float32 (bf16 parity: test_e5_model)."""
    from askposts.embedding import ModelEmbedder, load_embedder
    from askposts.encoder import BertEncoder

    fp32 = replace(settings, precision="fp32")
    ours = load_embedder(fp32)
    reference = load_embedder(fp32, purpose="index")
    assert isinstance(ours, BertEncoder) and isinstance(reference, ModelEmbedder)
    return ours, reference


@pytest.fixture(scope="module")
def sentences(corpus_index):
    gen = corpus_index.generation
    # Every 23rd sentence, plus the longest (truncated at 512 tokens by both).
    picked = [gen.sentence(i) for i in range(0, len(gen.sentences), 23)]
    longest = max((p.text for p in gen.posts), key=len)
    return picked + [longest, "¿Qué es  justicia\tabierta?\n", "🜁 ﬁn ² ㈱ \u00a0fin", ""]


@pytest.mark.slow  # real model
def test_same_token_ids(encoders, sentences):
    ours, reference = encoders
    for text in sentences:
        for prompt in ("query: ", "passage: "):
            expected = reference.model.tokenizer(prompt + text, truncation=True,
                                                 max_length=512)["input_ids"]
            assert ours.tokenizer.encode(prompt + text).ids == expected, text[:60]


@pytest.mark.slow  # real model
def test_same_vectors(encoders, sentences):
    ours, reference = encoders
    cos_passages = (ours.embed_passages(sentences) * reference.embed_passages(sentences)).sum(1)
    assert cos_passages.min() >= 0.9999, cos_passages.min()
    questions = sentences[:30]
    cos_queries = (ours.embed_queries(questions) * reference.embed_queries(questions)).sum(1)
    assert cos_queries.min() >= 0.9999, cos_queries.min()


def test_same_rankings(encoders, corpus_index):
    same, n = same_top5(corpus_index, *encoders, 60)
    assert same >= 0.95 * n, same
