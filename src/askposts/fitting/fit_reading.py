"""The reading stage of ``askposts fit``: the reader's scores -> the ``reading`` model.

For each labelled question, ``READ_TOP`` units of its best windows by the out-of-fold
first-stage logits are read by the reader (scores cached in the work folder: a refit does
not read again); the ``reading`` model is fitted listwise on the same grouped folds as the
window model, so every question's final logits come from models that did not see it.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..answering.model import Linear
from ..answering.reader import Reader
from ..answering.reading import (
    READING_FEATURES,
    Reading,
    reading_rows,
    units_to_read,
    with_scores,
)
from .fit import FOLDS, Asked, fit_window

READ_TOP = 3  # units read per question: fold figures as with 6, half the cost (report)
TOPS = (2, 4, 6, 8, 12)
ALL_READING = tuple(READING_FEATURES)


class ScoreCache:
    """Reader scores of (question, unit) pairs, kept in a JSON file between fits."""

    def __init__(self, path: Path | None, reader: Reader) -> None:
        self.path, self.reader = path, reader
        self.scores: dict[str, float] = {}
        if path is not None and path.is_file():
            self.scores = json.loads(path.read_text(encoding="utf-8"))

    @staticmethod
    def key(question: str, unit: str) -> str:
        return hashlib.sha1(f"{question}\0{unit}".encode()).hexdigest()[:20]

    def score(self, question: str, units: list[str]) -> np.ndarray:
        keys = [self.key(question, u) for u in units]
        todo = [i for i, k in enumerate(keys) if k not in self.scores]
        if todo:
            fresh = self.reader.score(question, [units[i] for i in todo])
            self.scores.update({keys[i]: float(s) for i, s in zip(todo, fresh)})
        return np.array([self.scores[k] for k in keys], np.float64)

    def save(self) -> None:
        if self.path is not None:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.scores), encoding="utf-8")
            tmp.replace(self.path)


def read_item(a: Asked, first: np.ndarray, cache: ScoreCache, top: int) -> Reading:
    c = a.windows
    if c is None or not len(c):
        return Reading(first, np.zeros(0), np.zeros(0, bool))
    units = units_to_read(c, first, top)
    scores = cache.score(a.query.asked, [c.gen.unit(int(c.uids[u])) for u in units])
    return with_scores(c, first, units, scores)


def top_recall(items: list[Asked], firsts: list[np.ndarray]) -> dict:
    """Share of questions with an answer window where reading ``n`` units reads all of one:
    how many units the reader must read."""
    used = [(a, lg) for a, lg in zip(items, firsts) if a.labels is not None and a.labels.any()]
    out = {}
    for n in TOPS:
        hit = []
        for a, lg in used:
            read = np.zeros(len(a.windows.uids), bool)
            read[units_to_read(a.windows, lg, n)] = True
            whole = np.where(a.windows.valid, read[a.windows.members], True).all(axis=1)
            hit.append(bool((a.labels & whole).any()))
        out[f"units{n}"] = round(float(np.mean(hit)), 4) if hit else 0.0
    return out


def unit_p1(items: list[Asked], readings: list[Reading]) -> dict:
    """Among the units read, the share of questions whose best unit holds the answer, by
    the reader, by the first-stage window model (the unit's own one-unit window) and by e5's
    cosine: the reader alone against what it replaces. Questions where no unit read holds
    the answer are left out (no choice of unit could be right)."""
    per: dict[str, dict[str, list[bool]]] = {}
    for a, r in zip(items, readings):
        c = a.windows
        if a.labels is None or not a.labels.any() or not r.scored.any():
            continue
        single = np.full(len(c.uids), -1)
        ones = np.flatnonzero(c.size == 1)
        single[c.first_unit[ones]] = ones
        good = np.array([s >= 0 and bool(a.labels[s]) for s in single])
        read = np.flatnonzero(r.scored & (single >= 0))
        if not good[read].any():
            continue
        firsts = r.first[single[read]]
        by = {"reader": r.unit[read], "first_stage": firsts, "cosine": c.unit_cos[read]}
        row = per.setdefault(a.dataset, {k: [] for k in by})
        for name, values in by.items():
            row[name].append(bool(good[read[int(np.argmax(values))]]))
    return {d: {k: round(float(np.mean(v)), 4) for k, v in row.items()} | {"n": len(row["reader"])}
            for d, row in per.items()}


def reading_stage(items: list[Asked], firsts: list[np.ndarray], reader: Reader,
                  work: Path | None, top: int = READ_TOP,
                  log: Callable[[str], object] = print
                  ) -> tuple[list[np.ndarray], list[Reading], Linear, dict]:
    """Out-of-fold final logits and readings of every item, the reading model fitted on
    all of them, and a report (first-stage recall, reader P@1)."""
    name = f"reader-scores-{getattr(reader, 'id', 'reader')}.json"
    cache = ScoreCache(work / name if work else None, reader)
    readings = []
    for i, (a, first) in enumerate(zip(items, firsts)):
        readings.append(read_item(a, first, cache, top))
        if i % 500 == 499:
            cache.save()
            log(f"lector: {i + 1} de {len(items)} preguntas leídas")
    cache.save()
    rows = [reading_rows(a.windows, r, ALL_READING) if a.windows is not None
            else np.zeros((0, len(ALL_READING))) for a, r in zip(items, readings)]
    train = lambda k: [i for i, a in enumerate(items) if a.trains(k)]  # noqa: E731
    models = [fit_window([items[i] for i in train(k)], ALL_READING,
                         rows=[rows[i] for i in train(k)], known=ALL_READING)
              for k in range(FOLDS)]
    logits = [models[a.fold].logit(r) if len(r) else np.zeros(0)
              for a, r in zip(items, rows)]
    learn = [i for i, a in enumerate(items) if a.learn]
    final = fit_window([items[i] for i in learn], ALL_READING, rows=[rows[i] for i in learn],
                       known=ALL_READING)
    report = {"read_top": top, "first_stage_recall": top_recall(items, firsts),
              "unit_p@1": unit_p1(items, readings)}
    log(f"lector: {report}")
    return logits, readings, final, report
