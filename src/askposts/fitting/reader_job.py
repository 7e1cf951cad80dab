"""The whole ``askposts fit-reader`` run: data -> training -> held-out figures -> weights.

    askposts fit-reader --squad-en ../shared/eval/squad-en-v1.1/train.json.gz \\
        --squad-es ../shared/eval/squad-es-v2/tune.json \\
        --questions ../shared/eval/train.jsonl ../shared/eval/dev.jsonl \\
        --content ../shared/corpus/redciudadana --out src/askposts/answering

The reader learns on English SQuAD v1.1 only; every Spanish figure is therefore held out:
answer-unit P@1 on SQuAD-es paragraphs and on the site's posts (the right post given), each
beside e5's cosine, the baseline the product used before. Writes ``reader.safetensors`` and
``reader.json`` (sha256, settings, learning curve, figures, minutes) into ``--out``.
"""
from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..answering.reader import MANIFEST, WEIGHTS
from .reader_data import ReaderItem, site_items, squad_items
from .reader_fit import E5Parts, ReaderFitConfig, Tokens, p_at_1, save, train

if TYPE_CHECKING:
    from ..embedding.embedder import Embedder

HELD_OUT_CURVE = 300  # SQuAD-es questions measured at each checkpoint
HELD_OUT_ES = 1000  # and at the end (a seeded sample: reading all 2,704 costs 3 times more)


def site_units(content: str | Path) -> Callable[[str], list[str]]:
    """``units_of(path)``: the answer units of a site's post (as the index cuts them)."""
    from ..posts.corpus import load_corpus, nfc
    from ..posts.windows import post_units

    posts = {nfc(p.path): p for p in load_corpus(content).posts}

    def units_of(path: str) -> list[str]:
        post = posts.get(nfc(path))
        return [post.text[u.start:u.end] for u in post_units(post)] if post else []

    return units_of


def cosine_p1(embedder: "Embedder", items: list[ReaderItem]) -> float:
    """P@1 of e5's cosine (question vs unit, the product's prompts): the baseline."""
    right = 0
    for item in items:
        q = embedder.embed_query(item.question)
        units = embedder.embed_passages(list(item.units))
        right += int(int(np.argmax(units @ q)) in item.answers)
    return right / max(len(items), 1)


def held_out(es_path: str | None, questions: list[str], content: str | None,
             sample: int | None) -> dict[str, list[ReaderItem]]:
    """The Spanish sets measured at the end: SQuAD-es and the site (right post given)."""
    from .evaluate import read_questions

    sets = {}
    if es_path:
        es = squad_items(es_path)
        random.Random(7).shuffle(es)
        sets["squad-es"] = es[:sample or HELD_OUT_ES]
    if questions and content:
        rows = [vars(q) for f in questions for q in read_questions(f)]
        site = site_items(rows, site_units(content))
        sets["site"] = site[:sample] if sample else site
    return sets


def fit_reader(squad_en: str, es_path: str | None, questions: list[str],
               content: str | None, cfg: ReaderFitConfig, out: Path, work: Path,
               cache_dir: Path, sample: int | None = None, embedder: "Embedder | None" = None,
               log: Callable[[str], object] = print, resume: bool = False) -> dict:
    """Train (``resume``: from the last checkpoint in ``work``), measure, write the weights
    and their manifest; returns the manifest."""
    import torch

    from ..embedding.base import resolve_model
    from ..embedding.e5 import MODEL_NAME

    torch.set_num_threads(2)
    started = time.monotonic()
    folder = Path(resolve_model(MODEL_NAME, cache_dir))
    parts, tokens = E5Parts(folder), Tokens(folder)
    items = squad_items(squad_en, limit_articles=sample)
    sets = held_out(es_path, questions, content, sample)
    curve_set = {"squad-es": sets["squad-es"][:HELD_OUT_CURVE]} if "squad-es" in sets else {}
    log(f"lector: {len(items)} preguntas de entrenamiento; "
        f"medido en {', '.join(f'{k} ({len(v)})' for k, v in sets.items())}")
    params = train(parts, tokens, items, cfg, work, curve_set, log=log, resume=resume)
    figures = {}
    for name, held in sets.items():
        figures[name] = {"reader": round(p_at_1(parts, tokens, params, cfg.layers, held), 4),
                         "n": len(held)}
        if embedder is not None:
            figures[name]["cosine"] = round(cosine_p1(embedder, held), 4)
        log(f"lector: {name} {figures[name]}")
    out.mkdir(parents=True, exist_ok=True)
    curve = json.loads((work / "curve.json").read_text(encoding="utf-8"))["curve"]
    save(params, cfg, out / WEIGHTS, {})
    manifest = {"sha256": hashlib.sha256((out / WEIGHTS).read_bytes()).hexdigest(),
                "layers": cfg.layers, "config": asdict(cfg), "trained_on": Path(squad_en).name,
                "questions_seen": curve[-1]["questions"] if curve else 0,
                "held_out_p@1": figures, "curve": curve,
                "minutes": curve[-1]["minutes"] if curve else 0.0,  # training, all sessions
                "run_minutes": round((time.monotonic() - started) / 60, 1)}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                encoding="utf-8")
    return manifest
