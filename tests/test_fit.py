"""The answer model's training: runs on a small sample, is deterministic, and what it writes
is what the query path reads."""
import json

import numpy as np
import pytest

from askposts import AnswerModel, ModelError, Settings, open_index
from askposts.features import DECISION_FEATURES, POST_FEATURES, SENTENCE_FEATURES
from askposts.fitdata import holds_answer, site_questions, squad_posts
from askposts.fitting import _folds
from askposts.indexer import Builder
from askposts.train import fit, load_datasets
from conftest import EVAL, ROOT, need

SQUAD = ROOT.parent / "shared" / "eval" / "squad-es-v2" / "tune.json"


def test_folds_keep_groups_together_and_are_seeded():
    groups = [f"g{i % 13}" for i in range(200)]
    folds = _folds(groups)
    assert folds == _folds(groups) and set(folds) == set(range(5))
    for g in set(groups):
        assert len({f for f, h in zip(folds, groups) if h == g}) == 1


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

    def run():  # three SQuAD-es articles, 75 questions; the second run reuses the cache
        data = load_datasets(builder, work, str(need(SQUAD)), None, None, sample=3,
                             log=lambda m: 0)
        return fit(data, builder.analyzer, log=lambda m: 0)

    (first, report), (again, _) = run(), run()
    return first, again, report, work


@pytest.mark.slow  # real model or ../shared
def test_fit_is_deterministic_and_reports_fold_means(fitted):
    first, again, report, _ = fitted
    assert json.dumps(first.to_dict()) == json.dumps(again.to_dict())
    assert set(report["ranking_fitted"]["squad"]) == {"mrr@10", "hit@5"}
    assert 0 < report["decision"]["squad"]["refusal_accuracy"] <= 1
    assert 0 < first.near <= first.threshold < 1


def test_the_written_model_is_the_one_the_index_reads(fitted, tmp_path, embedder):
    model, _, _, work = fitted
    path = tmp_path / "model.json"
    model.save(path)
    loaded = AnswerModel.load(path)
    assert loaded.fusion.features == POST_FEATURES
    assert loaded.sentence.features == SENTENCE_FEATURES
    assert loaded.decision.features == DECISION_FEATURES
    np.testing.assert_allclose(loaded.decision.coef, model.decision.coef)
    index = open_index(work / "index-squad",
                       Settings.load(env={}, answer_model=str(path)), embedder)
    answer = index.ask("¿Quiénes eran los normandos?")
    assert index.model.threshold == model.threshold
    assert answer.grade in ("answer", "near", "none")


def test_a_broken_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"format": 1, "fusion": {"features": ["x"], "coef": [1]}}')
    with pytest.raises(ModelError, match="askposts fit|modelo"):
        AnswerModel.load(bad)


def test_the_shipped_model_records_how_it_was_fitted():
    model = AnswerModel.load()
    info = model.info
    assert info["folds"] == 5 and set(info["data"]) == {"squad", "site"}
    for part in ("ranking_fitted", "sentence", "decision", "answers"):
        assert {"squad", "site"} <= set(info[part])
    assert info["decision"]["fuera-de-tema"]["refusal_accuracy"] > 0.7
    assert info["decision"]["squad"]["refused_answerable"] <= 0.05
    assert info["decision"]["site"]["refused_answerable"] <= 0.05
