"""Training and evaluation data of the reader: questions beside the units of their text.

A SQuAD file (English v1.1 to train, Spanish v2 to measure) becomes ``ReaderItem``s: each
paragraph is split into units by the product's own sentence splitter, and a question's answer
unit is the one that holds its marked answer. The site's labelled questions become items
too: the units of the first relevant post, the answer unit the one holding the evidence.
"""
from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..posts.sentences import sentence_spans


@dataclass(frozen=True)
class ReaderItem:
    """One question, the units of its text and which of them answer it."""

    question: str
    units: tuple[str, ...]
    answers: frozenset[int]  # positions in ``units`` that hold the answer
    group: str  # article or post: folds and hard negatives never split it
    key: str  # paragraph or post: other items of the same group but another key


def _read_squad(path: Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def squad_items(path: str | Path, limit_articles: int | None = None) -> list[ReaderItem]:
    """Answerable questions of a SQuAD file whose answer lies inside one unit."""
    data = _read_squad(Path(path))["data"][:limit_articles]
    items = []
    for a, article in enumerate(data):
        for p, para in enumerate(article["paragraphs"]):
            context = para["context"]
            spans = sentence_spans(context)
            units = tuple(context[s:e] for s, e in spans)
            for qa in para["qas"]:
                if qa.get("is_impossible") or not qa.get("answers"):
                    continue
                found = set()
                for ans in qa["answers"]:
                    start = int(ans["answer_start"])
                    end = start + len(ans["text"])
                    found |= {i for i, (s, e) in enumerate(spans) if s <= start and end <= e}
                if found:
                    items.append(ReaderItem(qa["question"], units, frozenset(found),
                                            f"{path}:{a}", f"{a}:{p}"))
    return items


def group_of(item: ReaderItem, rng: random.Random, same: int,
             others: list[str]) -> tuple[list[str], int]:
    """A training list: one answer unit first, then up to ``same`` other units of its text
    that do not answer, then ``others`` (units of other texts of the same group)."""
    pos = rng.choice(sorted(item.answers))
    negatives = [i for i in range(len(item.units)) if i not in item.answers]
    rng.shuffle(negatives)
    texts = [item.units[pos]] + [item.units[i] for i in negatives[:same]] + others
    return texts, 0


def other_units(items: list[ReaderItem]) -> dict[str, list[tuple[str, ...]]]:
    """Per group, the unit lists of its texts (for negatives from another text)."""
    seen: dict[str, dict[str, tuple[str, ...]]] = {}
    for item in items:
        seen.setdefault(item.group, {})[item.key] = item.units
    return {g: list(texts.values()) for g, texts in seen.items()}


def sample_others(item: ReaderItem, pool: dict[str, list[tuple[str, ...]]],
                  rng: random.Random, n: int) -> list[str]:
    """``n`` units of other texts of the item's group (none when it has a single text)."""
    texts = [t for t in pool.get(item.group, []) if t is not item.units and t != item.units]
    out = []
    for _ in range(n if texts else 0):
        units = rng.choice(texts)
        if units:
            out.append(rng.choice(units))
    return out


def site_items(questions: list[dict], units_of: Callable[[str], list[str]]
               ) -> list[ReaderItem]:
    """Site questions with a relevant post whose units hold the evidence.

    ``units_of(path)`` gives the post's units (texts); the answer units are those holding
    the evidence (``evaluate.holds_evidence``)."""
    from .evaluate import holds_evidence

    items = []
    for q in questions:
        if not q.get("relevant") or not q.get("evidence"):
            continue
        path = q["relevant"][0]
        units = tuple(units_of(path))
        found = frozenset(i for i, u in enumerate(units) if holds_evidence(u, q["evidence"]))
        if found:
            items.append(ReaderItem(q["question"], units, found, path, path))
    return items
