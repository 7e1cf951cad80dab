"""End to end on the real corpus and the labelled dev questions (the real model)."""
import json

from conftest import EVAL, need

from askposts.cli import main
from askposts.fitting.evaluate import evaluate, read_questions


def test_dev_set_meets_the_retrieval_targets(corpus_index):
    report, rows = evaluate(corpus_index, read_questions(need(EVAL)))
    m = report["overall"]
    assert m["hit@5"] >= 0.97, m
    assert m["mrr@10"] >= 0.90 and m["ndcg@10"] >= 0.90, m
    # Measured: quote holds the evidence 0.52, confidently wrong 0.06, unanswerable hedged
    # 0.87, answerable graded "none" 0 (dev is part of the fit's data; the grouped-CV
    # estimates are in docs/retrieval.md).
    assert m["quote_holds"] >= 0.45 and m["confidently_wrong"] <= 0.15, m
    assert m["hedged_unanswerable"] >= 0.8 and m["none_answerable"] <= 0.05, m
    for style in ("no-accents", "keywords"):
        assert report["by_style"][style]["mrr@10"] >= m["mrr@10"] - 0.05, report["by_style"]


def test_answers_decision_explains_itself(corpus_index):
    on_topic = corpus_index.search_and_judge("¿Qué es justicia abierta?")[1]
    assert on_topic.grade in ("answer", "near") and on_topic.topic > 0.5, on_topic.signals
    assert not corpus_index.answers("¿Va a llover este fin de semana en la Ciudad de Guatemala?")
    hits, decision = corpus_index.search_and_judge("¿Cuánto cuesta renovar el pasaporte?")
    assert not decision.found and decision.reason and "confianza" in decision.signals
    assert 0 <= decision.confidence < 0.5 and decision.grade in ("near", "none")
    assert {"dense", "lexical", "rank"} <= set(hits[0].signals)


def test_eval_command_prints_metrics_and_writes_runs(corpus_index, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    lines = [json.loads(x) for x in need(EVAL).read_text().splitlines()[:6]]
    questions.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    run = tmp_path / "run.jsonl"
    args = ["eval", str(questions), "--index", str(corpus_index.folder.path), "--site-url",
            "https://redciudadana.org", "--run-out", str(run), "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["questions"] == 6 and "by_style" in report
    rows = [json.loads(x) for x in run.read_text().splitlines()]
    assert [r["id"] for r in rows] == [x["id"] for x in lines]
    assert all(len(r["ranked"]) == 10 and isinstance(r["answered"], bool) for r in rows)
    assert all(r["grade"] in ("answer", "near", "none") and "holds" in r for r in rows)
