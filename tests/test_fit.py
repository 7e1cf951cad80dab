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
from askposts.answering.reading import READER_SIGNALS
from askposts.answering.verdict import DECISION_FEATURES
from askposts.fitting.data import (
    holds_answer,
    holds_evidence,
    site_questions,
    squad_posts,
)
from askposts.fitting.fit import folds_of, threshold_capping_wrong, threshold_refusing
from askposts.fitting.fit_reading import READ_TOP
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
    # The ceilings: the quote holds the answer only where its post does, and that post only
    # where some candidate does.
    top = report["ceilings"]["squad"]
    assert 0 < top["quote"] <= top["quoted_post"] <= top["any_window"] <= 1
    assert replies["quote_holds"] <= top["quote"] + 1e-9
    assert 0 < first.near < 1 and 0 < first.threshold <= 1 and first.trim >= 0
    # The reading stage: fitted on the same folds, with its recall and the reader's P@1.
    assert first.reading is not None and first.read_top == READ_TOP
    assert set(READER_SIGNALS) <= set(first.answer.features)
    assert set(report["reader"]["unit_p@1"]["squad"]) >= {"reader", "first_stage", "cosine"}
    assert report["reader"]["first_stage_recall"]["units6"] > 0.5
    # As served (settings.reader = "answers"): the reader judges again only what the plain
    # model would answer, so it says "answer" and is wrong at most as often as reading all.
    checked, every = report["replies_checked"]["squad"], report["replies"]["squad"]
    assert 0 <= checked["read"] <= 1
    assert checked["answered"] <= every["answered"]
    assert checked["confidently_wrong"] <= every["confidently_wrong"]


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


def _site_lines(tmp_path, shift: int) -> tuple[str, str]:
    """Labelled questions and staff corrections on the sample posts: each asks about one
    sentence (``shift``: the corrections point at another sentence of the same post)."""
    from conftest import SAMPLE

    from askposts.posts.corpus import load_corpus

    posts = [p for p in load_corpus(SAMPLE).posts if len(p.text.split(". ")) > 1]
    plain, fixed = [], []
    for n, post in enumerate(posts * 4):
        sentences = [s for s in post.text.split(". ") if len(s.split()) > 5]
        said = sentences[(n // len(posts)) % len(sentences)]
        line = {"question": f"¿{' '.join(said.split()[:8])}?", "relevant": [post.path],
                "evidence": said}
        plain.append({**line, "id": f"q-{n}"})
        evidence = sentences[(n // len(posts) + shift) % len(sentences)]
        fixed.append({**line, "id": f"correccion-{n}", "evidence": evidence,
                      "question": f"¿y {' '.join(said.split()[2:9])}?"})
    plain += [{"id": f"q-x{n}", "question": q, "relevant": [], "evidence": ""}
              for n, q in enumerate(["¿cuánto cuesta una pizza?", "¿dónde queda la playa?",
                                     "¿cómo cambio una llanta?", "¿qué hora es en Tokio?",
                                     "¿receta de tamales?", "¿quién pinta la Mona Lisa?"])]
    fixed += [{"id": f"correccion-x{n}", "question": q, "relevant": [], "evidence": ""}
              for n, q in enumerate(["¿horario del museo?", "¿precio del boleto de bus?",
                                     "¿quién ganó el mundial?"])]
    paths = []
    for name, rows in (("preguntas", plain), (f"correcciones-{shift}", fixed)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
        paths.append(str(path))
    return paths[0], paths[1]


def test_the_fit_says_what_the_corrections_changed(tmp_path, settings, fake_embedder):
    # The report compares the held-out figures without learning from the corrections and
    # with them. "Without" must not learn from them at all: pointing the same corrections
    # at other sentences of the same posts leaves it exactly as it was.
    from conftest import SAMPLE

    builder = Builder(settings, fake_embedder)
    reports = []
    for shift in (0, 1):
        questions, corrections = _site_lines(tmp_path, shift)
        said: dict = {}
        data = load_datasets(builder, tmp_path / "work", None, [questions], str(SAMPLE),
                             log=lambda m: 0, corrections=corrections, said=said)
        model, report = fit(data, builder.analyzer, log=lambda m: 0)
        reports.append(report["corrections_changed"])
        # Fitted without a reader, it does not read the reader's signals (always 0 here, they
        # would show staff a reading that never happened): what the shipped plain model reads.
        assert not set(READER_SIGNALS) & set(model.answer.features + model.topic.features)
    first, moved = reports
    corrected = first["corrected"]
    assert corrected["before"]["questions"] == corrected["after"]["questions"] == \
        said["corrections"]["used"] > 10
    assert corrected["after"]["answerable"] == corrected["after"]["questions"] - 3
    for side in ("before", "after"):
        c = corrected[side]
        assert c["quote_holds"] <= c["answerable"]
        assert c["answered_right"] + c["confidently_wrong"] <= c["questions"]
        assert c["unanswerable_not_answered"] <= 3
    assert set(first["site_others"]["before"]) >= {"quote_holds", "confidently_wrong"}
    assert moved["site_others"]["before"] == first["site_others"]["before"]
    # ...while learning from them does change the figures (the comparison can tell).
    assert moved["site_others"]["after"] != first["site_others"]["after"]
    assert moved["corrected"]["after"] != first["corrected"]["after"]
