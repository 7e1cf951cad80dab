import math

import pytest

from askposts.fitting.evaluate import (
    hit_at,
    metrics,
    mrr_at,
    ndcg_at,
    read_questions,
    recall_at,
)

NFD = "blogs/que\u0301.md"  # "qué" decomposed
NFC = "blogs/qué.md"


def test_rank_metrics_on_hand_made_rankings():
    ranked = ["x", "a", "x", "b", "c"]  # "x" repeated: a post counts once
    assert hit_at(ranked, ["a"], 1) == 0.0 and hit_at(ranked, ["a"], 2) == 1.0
    assert mrr_at(ranked, ["b", "a"]) == 0.5
    assert recall_at(ranked, ["a", "b", "z"]) == pytest.approx(2 / 3)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at(ranked, ["a", "b"]) == pytest.approx((1 / math.log2(3) + 1 / math.log2(4)) / ideal)
    assert ndcg_at(["a", "b"], ["a", "b"]) == pytest.approx(1.0)
    assert mrr_at(["x"], ["a"]) == 0.0


def test_paths_compare_after_nfc():
    assert hit_at([NFD], [NFC], 1) == 1.0


def test_aggregate_refusal_and_reply_figures():
    rows = [
        {"ranked": ["a"], "relevant": ["a"], "answered": True, "grade": "answer",
         "holds": True},
        {"ranked": ["b", "a"], "relevant": ["a"], "answered": False, "grade": "none",
         "holds": False},
        {"ranked": ["a"], "relevant": [], "answered": False, "grade": "near", "holds": False},
        {"ranked": ["a"], "relevant": [], "answered": True, "grade": "answer", "holds": False},
    ]
    m = metrics(rows)
    assert m["hit@1"] == 0.5 and m["mrr@10"] == 0.75
    assert m["refusal_accuracy"] == 0.5 and m["refused_answerable"] == 0.5
    assert m["quote_holds"] == 0.5 and m["none_answerable"] == 0.5
    assert m["hedged_unanswerable"] == 0.5 and m["confidently_wrong"] == 0.25


def test_read_questions_normalises_and_reports_bad_lines(tmp_path):
    good = tmp_path / "q.jsonl"
    good.write_text('{"id": "1", "question": "¿x?", "relevant": ["' + NFD + '"]}\n\n')
    [q] = read_questions(good)
    assert q.relevant == [NFC]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok", "relevant": []}\n{"relevant": []}\n')
    with pytest.raises(ValueError, match="línea 2"):
        read_questions(bad)
