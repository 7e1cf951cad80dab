"""The whole fit, as ``askposts fit`` runs it: data sets -> grouped CV report -> model file.

    askposts fit --squad ../shared/eval/squad-es-v2/tune.json \\
        --questions ../shared/eval/dev.jsonl --content ../shared/corpus/redciudadana \\
        --out src/askposts/answer_model.json

Seeded and deterministic; a few minutes on 2 cores (most of it embedding the SQuAD posts once;
the index and the question vectors are cached in ``--work``).
"""
from __future__ import annotations

import time
from dataclasses import replace
from itertools import permutations
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .fitdata import Labelled, query_vectors, site_questions, squad_posts
from .fitting import FOLDS, Asked, add_candidates, answer_metrics, ask_all, decision_metrics, \
    decision_rows, fit_decision, fit_fusion, fit_sentence, ranking_metrics, sentence_metrics, \
    threshold_for
from .generation import Generation
from .lexical import Analyzer
from .model import AnswerModel, Linear, starting_model

if TYPE_CHECKING:
    from .indexer import Builder

# One labelled data set: (name, its generation, its questions, their vectors).
Dataset = tuple[str, Generation, list[Labelled], np.ndarray]

OFF_TOPIC = "fuera-de-tema"
CROSS = 600  # questions of each data set also asked of the other's posts: off topic by design
REFUSE = 0.04  # answerable questions refused, at most, on every data set (target: 5 %)
NEAR = 0.01  # below this share of answerable questions, not even the closest excerpt


def _means(per_fold: list[dict]) -> dict:
    keys = [k for k in per_fold[0] if k != "n"]
    return {k: round(float(np.mean([f[k] for f in per_fold])), 4) for k in keys}


def _by_dataset(items: list[Asked], fn, off_topic: bool = False) -> dict:
    """Fold means of ``fn(fold, test indexes)`` per data set (off-topic questions only where
    the figure means something for them: the decision)."""
    names = sorted({a.dataset for a in items if off_topic or a.dataset != OFF_TOPIC})
    out = {}
    for name in names:
        folds = []
        for k in range(FOLDS):
            test = [i for i, a in enumerate(items) if a.dataset == name and a.fold == k]
            if test:
                folds.append(fn(k, test))
        out[name] = _means(folds)
    return out


def load_datasets(builder: "Builder", work: Path, squad: str | None, questions: str | None,
                  content: str | None, sample: int | None = None,
                  log: Callable[[str], object] = print) -> list[Dataset]:
    """[(name, generation, questions, vectors)] with indexes built (or reused) in ``work``."""
    sets = []
    if squad:
        posts = work / "squad-posts"
        qs = squad_posts(squad, posts, articles=sample)
        sets.append(("squad", posts, qs))
    if questions and content:
        sets.append(("site", Path(content), site_questions(questions)))
    out = []
    for name, folder, qs in sets:
        qs = qs if not sample else _sample(qs, sample * 25)
        started = time.perf_counter()
        gen, _ = builder.build(folder, work / f"index-{name}", progress=None)
        vecs = query_vectors(builder.embedder, qs, work)
        log(f"{name}: {len(gen.posts)} publicaciones, {len(gen.sentences)} frases, "
            f"{len(qs)} preguntas ({time.perf_counter() - started:.0f} s)")
        out.append((name, gen, qs, vecs))
    return out


def _sample(qs: list[Labelled], n: int) -> list[Labelled]:
    rng = np.random.default_rng(0)
    idx = sorted(rng.choice(len(qs), size=min(n, len(qs)), replace=False))
    return [qs[i] for i in idx]


def off_topic(datasets: list[Dataset], analyzer: Analyzer, fusion: Linear) -> list[Asked]:
    """Each data set's questions asked of the other data set's posts: none is answerable
    there, so they teach the decision what an off-topic question looks like (neither SQuAD
    nor a site's own questions have many)."""
    out: list[Asked] = []
    for (_, _, qs, vecs), (other, gen, _, _) in permutations(datasets, 2):
        rng = np.random.default_rng(len(qs))
        idx = np.sort(rng.choice(len(qs), size=min(CROSS, len(qs)), replace=False))
        moved = [replace(qs[i], relevant=[], answers=[], evidence="", post="",
                         id=f"{other}:{qs[i].id}") for i in idx]
        out += ask_all(gen, analyzer, moved, vecs[idx], OFF_TOPIC, fusion)
    return out


def fit(datasets: list[Dataset], analyzer: Analyzer, refuse: float = REFUSE,
        log: Callable[[str], object] = print) -> tuple[AnswerModel, dict]:
    start = starting_model()
    items: list[Asked] = []
    for name, gen, qs, vecs in datasets:
        items += ask_all(gen, analyzer, qs, vecs, name, start.fusion)
    items += off_topic(datasets, analyzer, start.fusion)

    def train(k):
        return [a for a in items if a.fold != k]

    report: dict = {"folds": FOLDS, "refuse_at_most": refuse}
    fusions = [fit_fusion(train(k), start.fusion) for k in range(FOLDS)]
    report["ranking_hand_set"] = _by_dataset(
        items, lambda k, t: ranking_metrics([items[i] for i in t], start.fusion))
    report["ranking_fitted"] = _by_dataset(
        items, lambda k, t: ranking_metrics([items[i] for i in t], fusions[k]))
    fusion = fit_fusion(items, start.fusion)
    log(f"fusión: {report['ranking_fitted']}")

    add_candidates(analyzer, items, fusion)
    sentences = [fit_sentence(train(k)) for k in range(FOLDS)]
    report["sentence"] = _by_dataset(
        items, lambda k, t: sentence_metrics([items[i] for i in t], sentences[k]))
    log(f"frases: {report['sentence']}")

    rows = np.zeros((len(items), len(start.decision.features)))
    for k in range(FOLDS):  # decision signals from out-of-fold sentence scores
        test = [i for i, a in enumerate(items) if a.fold == k]
        rows[test] = decision_rows([items[i] for i in test], sentences[k])
    probs = np.zeros(len(items))
    for k in range(FOLDS):
        tr = [i for i, a in enumerate(items) if a.fold != k]
        te = [i for i, a in enumerate(items) if a.fold == k]
        probs[te] = fit_decision(rows[tr], [items[i] for i in tr]).probability(rows[te])
    cuts = []
    for k in range(FOLDS):
        rest = [i for i, a in enumerate(items) if a.fold != k]
        cuts.append(threshold_for(probs[rest], [items[i] for i in rest], refuse))
    report["decision"] = _by_dataset(items, lambda k, t: decision_metrics(
        probs[t], [items[i] for i in t], cuts[k]), off_topic=True)
    report["answers"] = _by_dataset(items, lambda k, t: answer_metrics(
        [items[i] for i in t], sentences[k], probs[t], cuts[k]))
    log(f"decisión: {report['decision']}\nrespuestas: {report['answers']}")

    sentence = fit_sentence(items)
    decision = fit_decision(rows, items)
    threshold = threshold_for(probs, items, refuse)
    near = threshold_for(probs, items, NEAR)
    report |= {"threshold": round(threshold, 4), "near": round(near, 4),
               "data": {name: len(qs) for name, _, qs, _ in datasets}}
    return AnswerModel(fusion, sentence, decision, threshold, near, report), report
