"""Replay the site's real CMS history: an incremental build equals a full one, to the bit.

The first 120 commits, a checkpoint every 30: the incremental generation and a full build of
the same folder hold the same files byte for byte (vectors, windows, lexical statistics,
tables), and every dev question gets the same scores, grades, confidences and quotes from
both, and from the full build as built in this process and as reopened from disk.
"""
import json

from cms_history import apply_commit, read_history
from conftest import EVAL, HISTORY, need
from test_determinism import assert_same_files

from askposts import Index
from askposts.indexing.builder import Builder

COMMITS, EVERY = 120, 30


def replies(index, questions):
    """What a person sees, with every number: hits and answers as dicts."""
    return [([h.to_dict() for h in index.search(q, k=10)], index.ask(q).to_dict())
            for q in questions]


def assert_same_replies(a, b, questions):
    got, want = replies(a, questions), replies(b, questions)
    differ = [q for q, x, y in zip(questions, got, want) if x != y]
    assert not differ, differ[:3]


def test_replay_real_history(tmp_path, settings, embedder):
    site, index = tmp_path / "site", tmp_path / "index"
    site.mkdir()
    builder = Builder(settings, embedder)
    questions = [json.loads(line)["question"] for line in need(EVAL).open(encoding="utf-8")]
    assert len(questions) == 128
    commits = list(read_history(need(HISTORY)))[:COMMITS]
    embedded = full_embedded = checked = 0
    for n, commit in enumerate(commits, 1):
        apply_commit(site, commit)
        if n % EVERY:
            continue
        gen, report = builder.build(site, index)
        embedded += report.embedded
        full, full_report = builder.build(site, tmp_path / f"full-{n}", rebuild=True)
        full_embedded += full_report.embedded
        assert_same_files(index, tmp_path / f"full-{n}")
        reopened = Index(tmp_path / f"full-{n}", settings, embedder)
        assert_same_replies(Index(index, settings, embedder, generation=gen), reopened,
                            questions)
        if n == COMMITS:  # built in this process against the same reopened from disk
            assert_same_replies(Index(tmp_path / f"full-{n}", settings, embedder,
                                      generation=full), reopened, questions)
        checked += 1
    assert checked == COMMITS // EVERY
    # Incremental embedding never re-embeds unchanged text: less than rebuilding each time.
    assert embedded < full_embedded
    print(f"replay: {embedded} texts embedded incrementally, {full_embedded} by full builds")
