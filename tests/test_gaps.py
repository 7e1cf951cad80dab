"""The content-gap report groups what people asked by meaning."""
import numpy as np

from askposts.questionlog.gaps import cluster, content_gaps
from askposts.serving.render import gaps_csv
from askposts.questionlog.log import LoggedQuestion

SETS = [
    ["¿Cuándo abren la convocatoria de becas 2027?",
     "¿En qué fecha se abre la convocatoria para becas del 2027?",
     "cuando es la convocatoria de becas 2027"],
    ["¿Cuál es el horario de atención de la oficina?", "¿A qué hora abren la oficina?",
     "¿en qué horario atienden en sus oficinas?"],
    ["¿Cómo hago una donación a Red Ciudadana?", "quiero donar dinero, ¿cómo puedo hacerlo?",
     "¿Aceptan donaciones? ¿cómo dono?"],
]


def row(question, hour="2026-11-02T10:00", useful=None):
    return LoggedQuestion(id=question, hour=hour, question=question, grade="none",
                          confidence=0.1, reason="", useful=useful)


def test_cluster_joins_close_vectors_only():
    a, b = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    near_a = np.array([0.99, 0.05, 0.0]) / np.linalg.norm([0.99, 0.05, 0.0])
    labels = cluster(np.stack([a, near_a, b]).astype(np.float32), distance=0.1)
    assert labels[0] == labels[1] != labels[2]
    assert cluster(np.zeros((1, 3), np.float32)).tolist() == [0]


def test_paraphrases_group_together_on_the_real_corpus(corpus_index):
    rows = [row(q, f"2026-11-0{1 + i % 3}T1{i % 10}:00", useful=False if i == 0 else None)
            for i, q in enumerate(q for s in SETS for q in s)]
    gaps = content_gaps(rows, corpus_index)
    group_of = {q.question: n for n, g in enumerate(gaps) for q in g.questions}
    majorities = []
    for paraphrases in SETS:
        groups = [group_of[q] for q in paraphrases]
        main = max(set(groups), key=groups.count)
        assert groups.count(main) >= 2, paraphrases
        majorities.append(main)
    assert len(set(majorities)) == len(SETS)  # three meanings, three groups
    first = next(g for g in gaps if SETS[0][0] in g.examples)
    assert first.not_useful == 1 and first.first_seen <= first.last_seen
    assert all(g.closest and g.closest[0]["url"].startswith("https://") for g in gaps)
    assert gaps_csv(gaps).count("\n") == len(rows) + 1


def test_a_year_of_questions_is_grouped_quickly(fake_index, tmp_path):
    # 100,000 logged questions on 2,000 subjects: the report groups them by subject (k-means
    # parts keep the exact clustering small). The time is printed by
    # benchmarks/bench_gaps.py; this bound only catches a return to quadratic cost.
    import time

    from question_fixture import fill_log

    anchors = fake_index.generation.vectors.vectors()
    qlog = fill_log(tmp_path / "q.sqlite", anchors)
    started = time.perf_counter()
    rows = qlog.rows()
    gaps = content_gaps(rows, fake_index)
    assert time.perf_counter() - started < 20
    assert sum(g.count for g in gaps) == len(rows) == 100_000
    # Each group holds one subject: no two meanings share a group...
    subject = {f"q{i}": int(m) for i, m in enumerate(qlog.meaning)}
    mixed = [g for g in gaps if len({subject[q.id] for q in g.questions}) > 1]
    assert not mixed
    # ...and most subjects are one group (a subject split in two is the approximation's cost).
    assert len(gaps) <= 1.2 * len(set(subject.values()))
    assert all(g.closest for g in gaps[:10])


def test_the_summary_reads_wordings_from_the_database_and_finds_the_same_groups(fake_index,
                                                                                  tmp_path):
    # The staff summary counts each wording in SQL (QuestionLog.asked) instead of reading every
    # row: its largest groups must be the full report's, comments and opinions included.
    import datetime as dt

    from question_fixture import fill_log

    from askposts.questionlog import wordings
    from askposts.questionlog.gaps import largest_gaps

    qlog = fill_log(tmp_path / "q.sqlite", fake_index.generation.vectors.vectors(),
                    count=3_000, meanings=40)
    with qlog.db.connect() as con:  # opinions, comments, an answered row, a missing vector
        con.execute("UPDATE questions SET useful = 0, comment = 'no sirve' WHERE id = 'q7'")
        con.execute("UPDATE questions SET useful = 1 WHERE id = 'q8'")
        con.execute("UPDATE questions SET grade = 'answer', confidence = 0.9 WHERE id = 'q9'")
        con.execute("UPDATE questions SET vector = NULL WHERE id IN ('q10', 'q11')")
        con.execute("UPDATE questions SET hour = '2026-12-03T10:00' WHERE id = 'q12'")
    since, until = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    rows = [r for r in qlog.rows(since=since, unanswered=True) if r.hour < "2026-12-01"]
    assert len(rows) == 2_998
    full = content_gaps(rows, fake_index)
    asked = wordings.asked(qlog, since, until)
    assert sum(a.count for a in asked) == len(rows) and len(asked) < 300
    fast = largest_gaps(asked, fake_index, comments=wordings.comments(qlog, since, until))
    assert [g.to_dict() for g in fast] == [g.to_dict() for g in full]
    assert [g.to_dict() for g in largest_gaps(asked, fake_index, top=10)] == [
        {**g.to_dict(), "comments": []} for g in full[:10]]
    assert any(g.comments == ["no sirve"] and g.not_useful == 1 for g in fast)
    assert sum(g.useful for g in fast) == 1
