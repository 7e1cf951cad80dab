"""Which answer models judge a question, as ``settings.reader`` says.

- "off": the plain model (``answer_model.json``, no reader) judges alone;
- "answers" (the default): the plain model judges, and what it would say as an answer is
  judged again by the model that reads (``answer_model_reader.json``), which has the last
  word. The reader reads about a quarter of the questions (those the plain model would
  answer), and held out on the site's questions this leaves fewer confident wrong replies
  than reading every question (docs/retrieval.md);
- "all": the model that reads judges every question.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..spanish import messages as msg
from .judge import load_model
from .model import AnswerModel, ModelError

if TYPE_CHECKING:
    from ..settings import Settings


@dataclass(frozen=True)
class Judges:
    """The model that judges every question, and the one that checks its answers."""

    model: AnswerModel
    checker: AnswerModel | None = None

    @property
    def read(self) -> bool:
        """Whether a reader is needed."""
        return self.model.reading is not None or self.checker is not None


def reading_model(path: str | None) -> AnswerModel:
    """The answer model that reads in ``path`` (None: the shipped one)."""
    model = load_model(path, reader=True)
    if model.reading is None:
        raise ModelError(msg.MODEL_DOES_NOT_READ.format(path=path))
    return model


def judges_for(settings: "Settings") -> Judges:
    """The judges ``settings`` ask for (``reader``, ``answer_model``, ``reader_model``)."""
    if settings.reader == "all":
        return Judges(reading_model(settings.reader_model or None))
    plain = load_model(settings.answer_model or None)
    if settings.reader == "answers":
        return Judges(plain, reading_model(settings.reader_model or None))
    return Judges(plain)
