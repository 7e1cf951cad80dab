"""Extractive answers: faithful quotes, exact spans, honest "no answer"."""
import json
import re

import pytest

from askposts.answer import NEAR, NOT_FOUND
from askposts.spanish import spanish_date
from askposts.followup import is_follow_up
from askposts.lexical import Analyzer
from askposts.plaintext import markdown_blocks
from conftest import EVAL, need

# Measured on dev: 0.45 (grouped-CV estimate 0.44, docs/retrieval.md); the goal is 0.75.
MIN_EVIDENCE_OVERLAP = 0.40
FOLLOW_UPS = [  # a first question, then one that only makes sense after it
    ("¿Con qué mancomunidad firmamos un convenio en Quetzaltenango?", "¿y cuándo fue?"),
    ("¿Qué fundación financió el proyecto latinoamericano en el que creamos de forma "
     "participativa herramientas para medir impacto durante la pandemia?", "¿y en qué países?"),
    ("¿Qué es justicia abierta?", "¿quiénes más participaron?"),
    ("Acisclo Valladares postulante procurador derechos humanos 2022", "¿y cuándo fue eso?"),
    ("¿Qué portal de Argentina se usó como ejemplo de datos abiertos en la justicia?",
     "¿y quién lo presentó?"),
]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def plain(markdown: str) -> str:
    """The evidence is copied from the Markdown file; compare it as the reader sees it."""
    return " ".join(t for t, _ in markdown_blocks(markdown))


def shares(a: str, b: str, n: int = 30) -> bool:
    a, b = normalise(a), normalise(b)
    return any(a[i:i + n] in b for i in range(max(1, len(a) - n + 1)))


def test_spanish_dates():
    assert spanish_date("2024-10-29") == "29 de octubre de 2024"
    assert spanish_date("2021") == "2021" and spanish_date(None) == ""


@pytest.fixture(scope="module")
def dev_answers(corpus_index):
    rows = [json.loads(x) for x in need(EVAL).read_text().splitlines() if x.strip()]
    return [(row, corpus_index.ask(row["question"])) for row in rows]


def test_answers_quote_posts_exactly(dev_answers, corpus_index):
    posts = {p.path: p for p in corpus_index.posts}
    for _, answer in dev_answers:
        rest = answer.text
        for n, cite in enumerate(answer.citations, 1):
            assert posts[cite.path].text[cite.start:cite.end] == cite.text
            body = cite.text.rstrip(".!?…:;\"'”»)")
            assert body in rest
            rest = rest.replace(body, "", 1)
            assert f"[{n}]" in rest
        if answer.found:  # what is left besides the quotes is only citation marks
            assert re.fullmatch(r"[\s\[\]\d.!?…\"'”»)]*", rest), rest


def test_top_citation_overlaps_the_evidence(dev_answers):
    found = [(row, a) for row, a in dev_answers if row["relevant"] and a.found]
    good = sum(shares(a.citations[0].text, plain(row["evidence"])) for row, a in found)
    assert good / len(found) >= MIN_EVIDENCE_OVERLAP, (good, len(found))


def test_graded_replies_agree_with_the_decision(dev_answers, corpus_index):
    grades = set()
    for row, answer in dev_answers:
        assert answer.found == corpus_index.answers(row["question"])  # one decision
        assert answer.found == (answer.grade == "answer") and 0 <= answer.confidence <= 1
        grades.add(answer.grade)
        if answer.grade == "near":
            assert answer.text.startswith(NEAR) and len(answer.citations) == 1
        if answer.grade == "none":
            assert answer.text == NOT_FOUND and answer.related and not answer.citations
        assert answer.reason.startswith(("respondo", "no hay respuesta", "no encontré"))
    assert grades == {"answer", "near", "none"}
    refused = [a for row, a in dev_answers if not row["relevant"] and not a.found]
    assert len(refused) >= 8  # measured 9 of 30: the decision's weak side (docs/retrieval.md)


def test_answers_are_short(dev_answers):
    found = [a for _, a in dev_answers if a.found]
    words = [len(re.sub(r"\[\d+\]", "", a.text).split()) for a in found]
    assert sum(words) / len(words) < 40, sum(words) / len(words)


def test_follow_up_questions_are_read_in_context(corpus_index):
    same = alone = 0
    for first, then in FOLLOW_UPS:
        cited = corpus_index.ask(first).citations[0].path
        answer = corpus_index.ask(then, history=[first])
        same += (answer.citations or answer.related)[0].path == cited
        without = corpus_index.ask(then)
        alone += (without.citations or without.related)[0].path == cited
    assert same >= 4 and same > alone, (same, alone)


def test_what_counts_as_a_follow_up():
    analyzer = Analyzer()
    for question in ("¿y cuándo fue?", "¿quiénes más participaron?", "¿dónde?",
                     "y eso cuánto costó"):
        assert is_follow_up(question, analyzer), question
    for question in ("¿Qué es justicia abierta?", "¿Cuántas personas participaron en el "
                     "taller de Cobán?"):
        assert not is_follow_up(question, analyzer), question


def test_ask_cli_json(corpus_index, capsys):
    from askposts.cli import main

    args = ["ask", "¿Con qué mancomunidad firmamos un convenio en Quetzaltenango?", "--index",
            str(corpus_index.folder.path), "--site-url", "https://redciudadana.org", "--json"]
    assert main(args) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["found"] and answer["citations"][0]["url"].startswith("https://")
