"""Which answer models judge (settings.reader): the model that reads checks only what the plain
model would say as an answer, and has the last word on it."""
from dataclasses import replace

import pytest

from askposts.answering.judge import load_model
from askposts.answering.judges import Judges, judges_for
from askposts.answering.model import ModelError
from askposts.answering.reader import HashReader
from askposts.filters import Filters
from askposts.index import Index
from askposts.settings import Settings, SettingsError

QUESTION = "¿Cuántas personas participaron en el taller de Cobán?"


def test_reader_setting_names_a_mode_and_older_yes_no_still_read():
    assert Settings.load(env={}).reader == "answers"  # the default
    assert Settings.load(env={"ASKPOSTS_READER": "1"}).reader == "all"
    assert Settings.load(env={"ASKPOSTS_READER": "false"}).reader == "off"
    assert Settings.load(env={}, reader=True).reader == "all"  # `reader = true` in a file
    with pytest.raises(SettingsError, match="answers: leer solo las respuestas"):
        Settings.load(env={"ASKPOSTS_READER": "a veces"})


def test_each_mode_loads_its_models(settings, tmp_path):
    off, answers, every = (judges_for(settings.with_values({"reader": m}))
                           for m in ("off", "answers", "all"))
    assert off.model.reading is None and off.checker is None and not off.read
    assert answers.model.reading is None and answers.checker.reading is not None
    assert every.model.reading is not None and every.checker is None and every.read
    plain = tmp_path / "plain.json"
    load_model().save(plain)  # a model without a reading stage cannot check answers
    with pytest.raises(ModelError, match="no lee con el lector"):
        judges_for(settings.with_values({"reader_model": str(plain)}))


class CountingReader(HashReader):
    def __init__(self):
        self.calls = 0

    def score(self, question, units):
        self.calls += 1
        return super().score(question, units)


def _judged(fake_index, settings, judges: Judges):
    reader = CountingReader()
    index = Index(fake_index.folder.path, settings, fake_index.embedder, reader=reader)
    index._judges = judges
    return index._judged(index.generation, QUESTION, 5, Filters())[2], reader.calls


def test_the_reader_checks_only_answers_and_has_the_last_word(fake_index, settings):
    always, never = 0.0, 1.01  # thresholds: every reply is an answer / none is
    reading = load_model(reader=True)
    # The plain model would answer: the model that reads judges again and refuses.
    checked, calls = _judged(fake_index, settings, Judges(
        replace(load_model(), threshold=always), replace(reading, threshold=never)))
    assert calls == 1 and checked.decision.grade != "answer"
    alone, _ = _judged(fake_index, settings, Judges(replace(reading, threshold=never)))
    assert (checked.quote, checked.decision.confidence, checked.decision.grade) == \
        (alone.quote, alone.decision.confidence, alone.decision.grade)
    assert "reader_quote" in checked.decision.signals
    # The plain model would not answer: nothing is read, its judgement stands.
    plain = replace(load_model(), threshold=never)
    kept, calls = _judged(fake_index, settings, Judges(plain, reading))
    assert calls == 0 and kept.decision.grade != "answer"
    assert "reader_quote" not in kept.decision.signals
    both, calls = _judged(fake_index, settings, Judges(
        replace(load_model(), threshold=always), replace(reading, threshold=always)))
    assert calls == 1 and both.decision.grade == "answer"
