"""The answer model's training: runs on a small sample, is deterministic, and what it writes
is what the query path reads."""
import json

import numpy as np
import pytest
from conftest import EVAL, ROOT, need

from askposts import AnswerModel, ModelError, Settings, open_index
from askposts.answering.features import WINDOW_FEATURES
from askposts.answering.judge import load_model
from askposts.answering.rank import POST_FEATURES
from askposts.answering.reader import load_reader
from askposts.answering.verdict import DECISION_FEATURES
from askposts.fitting.data import (
    holds_answer,
    holds_evidence,
    site_questions,
    squad_posts,
)
from askposts.fitting.fit import folds_of, threshold_capping_wrong, threshold_refusing
from askposts.fitting.train import fit, load_datasets
from askposts.indexing.builder import Builder

SQUAD = ROOT.parent / "shared" / "eval" / "squad-es-v2" / "tune.json"


def test_folds_keep_groups_together_and_are_seeded():
    groups = [f"g{i % 13}" for i in range(200)]
    folds = folds_of(groups)
    assert folds == folds_of(groups) and set(folds) == set(range(5))
    for g in set(groups):
        assert len({f for f, h in zip(folds, groups) if h == g}) == 1


def test_evidence_is_held_by_a_30_character_window_of_it():
    evidence = "El jueves 18 de agosto del presente año se realizó la última sesión"
    assert holds_evidence("Dijo que el jueves 18 de agosto del presente   año hubo...", evidence)
    assert not holds_evidence("El jueves 18 de agosto hubo otra cosa distinta.", evidence)
    assert holds_evidence("Antes. Q 5,000 en total.", "Q 5,000")  # short: all of it


def test_thresholds_cap_wrong_replies_and_refusals():
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    good = np.array([True, True, False, True, False, False])
    assert threshold_capping_wrong(p, good, 1 / 6) == 0.6  # one wrong of six allowed
    assert threshold_capping_wrong(p, good, 0.0) == 0.8
    assert threshold_capping_wrong(p, ~good | True, 0.0) == 0.4
    answerable = np.array([True] * 6)
    assert threshold_refusing(p, answerable, 0.2) == 0.5  # at most one of six refused


@pytest.mark.slow  # real model or ../shared
def test_squad_paragraphs_become_posts(tmp_path):
    questions = squad_posts(need(SQUAD), tmp_path, articles=1)
    files = sorted(tmp_path.rglob("*.md"))
    assert len(files) > 10 and len({q.post for q in questions}) == len(files)
    impossible = [q for q in questions if not q.relevant]
    assert impossible and all(not q.answers for q in impossible)
    q = next(q for q in questions if q.relevant)
    assert holds_answer(q, q.relevant[0], f"... {q.answers[0]} ...")
    assert not holds_answer(q, "otro/000.md", q.answers[0])


@pytest.mark.slow  # real model or ../shared
def test_site_questions_group_by_post():
    questions = site_questions(need(EVAL))
    answerable = [q for q in questions if q.relevant]
    assert all(q.group == q.relevant[0] for q in answerable)
    assert len({q.group for q in questions if not q.relevant}) == len(questions) - len(answerable)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory, settings, embedder):
    work = tmp_path_factory.mktemp("fit")
    builder = Builder(settings, embedder)

    reader = load_reader(settings, embedder)

    def run():  # three SQuAD-es articles, 75 questions; the second run reuses the cache
        data = load_datasets(builder, work, str(need(SQUAD)), None, None, sample=3,
                             log=lambda m: 0)
        return fit(data, builder.analyzer, log=lambda m: 0, reader=reader, work=work)

    (first, report), (again, _) = run(), run()
    return first, again, report, work


@pytest.mark.slow  # real model or ../shared
def test_fit_is_deterministic_and_reports_fold_means(fitted):
    first, again, report, _ = fitted
    assert json.dumps(first.to_dict()) == json.dumps(again.to_dict())
    assert {"mrr@10", "hit@5"} <= set(report["ranking"]["squad"])
    replies = report["replies"]["squad"]
    assert 0 < replies["quote_holds"] <= 1 and 0 <= replies["confidently_wrong"] <= 1
    assert replies["words"] <= 70
    assert 0 < first.near < 1 and 0 < first.threshold <= 1 and first.trim >= 0
    # The reading stage: fitted on the same folds, with its recall and the reader's P@1.
    assert first.reading is not None and first.read_top == 6
    assert set(report["reader"]["unit_p@1"]["squad"]) >= {"reader", "first_stage", "cosine"}
    assert report["reader"]["first_stage_recall"]["units6"] > 0.5


def test_the_written_model_is_the_one_the_index_reads(fitted, tmp_path, embedder):
    model, _, _, work = fitted
    path = tmp_path / "model.json"
    model.save(path)
    loaded = load_model(path)
    assert loaded.fusion.features == POST_FEATURES
    assert set(loaded.window.features) <= set(WINDOW_FEATURES)
    assert set(loaded.answer.features) <= set(DECISION_FEATURES)
    np.testing.assert_allclose(loaded.answer.coef, model.answer.coef)
    index = open_index(work / "index-squad",
                       Settings.load(env={}, answer_model=str(path)), embedder)
    answer = index.ask("¿Quiénes eran los normandos?")
    assert index.model.threshold == model.threshold
    # The grade is what the fitted thresholds say of the confidence the answer reports.
    assert (answer.grade == "answer") == (answer.confidence >= round(model.threshold, 3) - 1e-3)
    assert answer.citations and answer.citations[0].path.startswith("00-")


def test_a_broken_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"format": 2, "fusion": {"features": ["x"], "coef": [1]}}')
    with pytest.raises(ModelError, match="askposts fit|modelo"):
        load_model(bad)
    model = AnswerModel.load().to_dict()
    model["window"]["features"][0] = "una_senal_que_no_existe"
    (tmp_path / "n.json").write_text(json.dumps(model))
    with pytest.raises(ModelError, match="una_senal_que_no_existe"):
        load_model(tmp_path / "n.json")


def test_the_shipped_model_records_how_it_was_fitted():
    info = AnswerModel.load().info
    assert info["folds"] == 5 and set(info["data"]) == {"squad", "site"}
    assert {"squad", "site"} <= set(info["ranking"]) and {"squad", "site"} <= set(info["replies"])
    site, squad = info["replies"]["site"], info["replies"]["squad"]
    assert site["none_answerable"] <= 0.05 and squad["none_answerable"] <= 0.05
    assert site["confidently_wrong"] <= 0.2 and squad["confidently_wrong"] <= 0.2
    assert site["words"] <= 70 and info["replies"]["fuera-de-tema"]["hedged_unanswerable"] > 0.9
    read = AnswerModel.load(reader=True).info
    assert read["reader"]["read_top"] == AnswerModel.load(reader=True).read_top
    assert read["replies"]["site"]["confidently_wrong"] <= site["confidently_wrong"]
