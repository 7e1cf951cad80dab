"""A text's vector depends on the text alone, and so does every number of a generation.

Built incrementally or from scratch, in one process or another, a generation of the same
folder is the same bytes file by file (except its name and when it was made); a text's vector
is the same bits embedded alone or among others; questions get the same scores, grades,
confidences and quotes from an index built in the process and from the same index reopened.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
from conftest import ROOT, SAMPLE, SITE

from askposts import Settings

BUILD = """
import sys
from askposts import HashEmbedder, Settings, build_index
settings = Settings.load(config="{root}/no-config.toml", env={{}}, site_url="{site}")
build_index(sys.argv[1], sys.argv[2], settings, embedder=HashEmbedder(64))
"""


def generation_files(index_dir: Path) -> dict[str, bytes]:
    """Every file of the published generation; the manifest without its creation time."""
    folder = index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    files = {str(p.relative_to(folder)): p.read_bytes()
             for p in sorted(folder.rglob("*")) if p.is_file()}
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest.pop("created")
    files["manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return files


def assert_same_files(a: Path, b: Path) -> None:
    left, right = generation_files(a), generation_files(b)
    assert sorted(left) == sorted(right)
    differ = [name for name in left if left[name] != right[name]]
    assert not differ, differ
    assert len(left) >= 10  # vectors, windows, both lexical indexes, tables, manifest


def test_a_generation_is_the_same_bytes_whatever_the_process(tmp_path):
    # String hashing changes with every process and set order with it: a generation must not.
    script = BUILD.format(root=ROOT, site=SITE)
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(SAMPLE), str(tmp_path / seed)],
                       check=True, env=env, cwd=tmp_path, timeout=120)
    assert_same_files(tmp_path / "1", tmp_path / "2")


def test_a_text_has_one_vector_alone_or_in_any_batch(corpus_dir, settings):
    # The index's encoder (sentence-transformers) on every corpus title and 500 passages,
    # each embedded alone and inside random batches of 64 of any lengths, first or last.
    # benchmarks/bench_determinism.py runs 10 such rounds and the query encoder too.
    from askposts.embedding.embedder import load_embedder

    embedder = load_embedder(settings, purpose="index")
    texts = sample_texts(corpus_dir, settings)
    alone = np.stack([embedder.embed_passages([t])[0] for t in texts])
    order = list(range(len(texts)))
    random.Random(7).shuffle(order)
    for s in range(0, len(order), 64):
        batch = order[s:s + 64]
        got = embedder.embed_passages([texts[i] for i in batch])
        assert np.array_equal(got, alone[batch])


def sample_texts(corpus_dir: Path, settings: Settings) -> list[str]:
    """Every post's title and 500 random passages (the test's and the benchmark's texts)."""
    from askposts.indexing.builder import answer_windows
    from askposts.posts.corpus import load_corpus

    posts = load_corpus(corpus_dir, settings.site_url).posts
    _, _, windows = answer_windows(posts)
    titles = [p.title for p in posts if p.title]
    return list(dict.fromkeys(titles + random.Random(3).sample(windows, 500)))
