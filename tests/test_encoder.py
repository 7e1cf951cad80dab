"""The plain-torch e5 forward (``encoder.BertEncoder``, what serving encodes questions with)
against sentence-transformers (what indexes are built with): same tokens, same vectors, same
rankings. And the setting that picks between them."""
from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import same_top5

from askposts import Settings
from askposts.settings import SettingsError


def test_query_encoder_setting_is_checked():
    assert Settings.load(env={"ASKPOSTS_QUERY_ENCODER": "sentence-transformers"}) \
        .query_encoder == "sentence-transformers"
    with pytest.raises(SettingsError, match="query_encoder"):
        Settings(query_encoder="onnx")


@pytest.fixture(scope="module")
def encoders(settings):
    """Both encoders in float32 (bf16 parity: test_e5_model)."""
    from askposts.embedding.embedder import ModelEmbedder, load_embedder
    from askposts.embedding.encoder import BertEncoder

    fp32 = replace(settings, precision="fp32")
    ours = load_embedder(fp32)
    reference = load_embedder(fp32, purpose="index")
    assert isinstance(ours, BertEncoder) and isinstance(reference, ModelEmbedder)
    return ours, reference


@pytest.fixture(scope="module")
def sentences(corpus_index):
    gen = corpus_index.generation
    # Every 23rd sentence, plus the longest (truncated at 512 tokens by both).
    picked = [gen.unit(i) for i in range(0, len(gen.units), 23)]
    longest = max((p.text for p in gen.posts), key=len)
    return picked + [longest, "¿Qué es  justicia\tabierta?\n", "🜁 ﬁn ² ㈱ \u00a0fin", ""]


@pytest.mark.slow  # real model
def test_same_token_ids(encoders, sentences):
    ours, reference = encoders
    for text in sentences:
        for prompt in ("query: ", "passage: "):
            expected = reference.model.tokenizer(prompt + text, truncation=True,
                                                 max_length=512)["input_ids"]
            assert ours.tokenizer.ids([prompt + text])[0] == expected, text[:60]


@pytest.mark.slow  # real model
def test_the_reduced_tokenizer_gives_the_full_tokenizers_ids(encoders, corpus_index):
    # The query encoder keeps only the Latin-script pieces (a fifth of the memory): on every
    # sentence and title of the corpus and every question of the labelled sets, the ids must
    # be exactly the full tokenizer's, including texts in other scripts (the full one answers).
    import json

    from conftest import EVAL, SHARED

    ours, _ = encoders
    gen = corpus_index.generation
    texts = [gen.unit(i) for i in range(len(gen.units))] + [p.title for p in gen.posts]
    for name in ("dev.jsonl", "train.jsonl"):
        texts += [json.loads(x)["question"] for x in (EVAL.parent / name).open(encoding="utf-8")]
    squad = json.loads((SHARED / "eval/squad-es-v2/tune.json").read_text(encoding="utf-8"))
    texts += [qa["question"] for a in squad["data"] for p in a["paragraphs"] for qa in p["qas"]]
    texts += ["¿Qué dice el artículo 5?", "Москва и Гватемала", "東京で", "tel. ☎ 2222-3333",
              "precio: Q 25.00 — «gratis»…", "<mask> enmascarado", "naïve façade œuvre ß",
              "❤️ gracias", "⏰ 10:00 ⏳", "⬇️ Descargue ⭐"]
    full = ours.tokenizer.full()
    prompted = ["query: " + t for t in texts]
    assert ours.tokenizer.ids(prompted) == [e.ids for e in full.encode_batch(prompted)]
    # Emoji in their colour form (❤️), ⏰ and ⬇ are common in posts and questions: the
    # reduced tokenizer covers them, so they never load the full one (280 MB).
    assert all(ours.tokenizer._fits(t) for t in ("❤️ gracias", "⏰ 10:00", "⬇️ Descargue ⭐"))
    # The full tokenizer stays for a while after a text in another script, then goes.
    assert ours.tokenizer._full is not None
    ours.tokenizer._full_until = 0.0
    ours.tokenizer.ids(["query: ¿Qué es la justicia abierta?"])
    assert ours.tokenizer._full is None


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


def test_questions_encoded_together_are_bit_for_bit_the_ones_alone(embedder):
    # In the precision serving runs in: a question's vector does not depend on the others
    # encoded with it (a padded batch changed the last bits, and 8 answers of 1,328).
    import json

    import numpy as np
    from conftest import EVAL

    questions = [json.loads(line)["question"] for line in EVAL.open(encoding="utf-8")]
    alone = np.stack([embedder.embed_query(q) for q in questions])
    shuffled = np.random.default_rng(5).permutation(len(questions))
    together = embedder.embed_queries([questions[i] for i in shuffled])
    assert np.array_equal(together, alone[shuffled])
