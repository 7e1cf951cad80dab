"""Labelled questions for ``askposts fit``: SQuAD-style JSON and askposts' own JSONL.

- SQuAD 2.0 (e.g. SQuAD-es v2): each paragraph becomes one Markdown post (title = article
  title) under a folder per article; an answerable question's post is its paragraph and its
  answer sentences are those containing a gold answer; ``is_impossible`` questions have none.
  Cross-validation groups are articles.
- A site's own questions (``dev.jsonl`` format: question, relevant, evidence): sentences of a
  relevant post that share 30 characters with the evidence are answer sentences. Groups are
  the first relevant post (unanswerable questions: each its own group).
Then ``extract`` runs askposts' real query path on an index of those posts and keeps every
feature row the model reads, so what is fitted is exactly what runs.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..questionlog.corrections import passage_stands
from .evaluate import holds_evidence, read_questions

if TYPE_CHECKING:
    from ..indexing.generation import Generation
    from ..embedding.embedder import Embedder


@dataclass
class Labelled:
    id: str
    question: str
    relevant: list[str]  # post paths that answer it ([] = the corpus does not)
    answers: list[str] = field(default_factory=list)  # gold answer strings (SQuAD)
    evidence: str = ""  # a verbatim excerpt of the first relevant post (site questions)
    group: str = ""  # cross-validation group
    post: str = ""  # SQuAD: the question's paragraph, answerable or not


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "articulo"


def _yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON strings are valid YAML scalars


def squad_posts(path: str | Path, folder: str | Path, articles: int | None = None
                ) -> list[Labelled]:
    """Write one post per paragraph of a SQuAD 2.0 file into ``folder``; its questions."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"][:articles]
    folder, out = Path(folder), []
    for a, article in enumerate(data):
        slug = f"{a:02d}-{_slug(article['title'])}"[:60]
        (folder / slug).mkdir(parents=True, exist_ok=True)
        title = article["title"].replace("_", " ").strip()
        for p, paragraph in enumerate(article["paragraphs"]):
            rel = f"{slug}/{p:03d}.md"
            body = paragraph["context"].replace("\n", " ")
            target = folder / rel
            text = f"---\ntitle: {_yaml_string(title)}\n---\n{_escape_markdown(body)}\n"
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
            for qa in paragraph["qas"]:
                impossible = bool(qa.get("is_impossible"))
                answers = [] if impossible else sorted({x["text"].strip()
                                                        for x in qa["answers"] if x["text"]})
                out.append(Labelled(qa["id"], qa["question"].strip(),
                                    [] if impossible else [rel], answers, "", slug, rel))
    return out


def _escape_markdown(text: str) -> str:
    # A paragraph is prose: keep Markdown from reading "1." or "#" or "*" as structure.
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text).replace("\n", " ")


def site_questions(path: str | Path) -> list[Labelled]:
    """A site's labelled questions (``evaluate.read_questions``: clear errors in Spanish)."""
    return [Labelled(q.id, q.question, q.relevant, [], q.evidence,
                     q.relevant[0] if q.relevant else f"sin-respuesta-{q.id}",
                     q.relevant[0] if q.relevant else "") for q in read_questions(path)]


def usable_corrections(path: str | Path, gen: "Generation"
                       ) -> tuple[list[Labelled], list[dict]]:
    """Staff corrections (``GET /api/corrections?format=jsonl``) that still hold in ``gen``:
    an answerable one's passage must still be, word for word, in its post (a post edited or
    deleted since makes it say nothing). Returns (kept, skipped with why, in Spanish)."""
    texts = {p.path: p.text for p in gen.posts}
    kept, skipped = [], []
    for q in site_questions(path):
        if q.relevant and q.relevant[0] not in texts:
            skipped.append({"id": q.id, "path": q.relevant[0], "why": "la publicación ya no está"})
        elif q.relevant and not passage_stands(q.evidence, texts[q.relevant[0]]):
            skipped.append({"id": q.id, "path": q.relevant[0], "why": "el pasaje ya no está"})
        else:
            kept.append(q)
    return kept, skipped


def holds_answer(q: Labelled, path: str, text: str) -> bool:
    """Does ``text`` (of post ``path``) hold the answer to ``q``: a gold answer (SQuAD), or
    the labelled evidence (a site's questions)?"""
    if path not in q.relevant:
        return False
    if q.answers:
        return any(ans in text for ans in q.answers)
    return holds_evidence(text, q.evidence)


def query_vectors(embedder: "Embedder", questions: list[Labelled], cache: Path | None
                  ) -> np.ndarray:
    """Question vectors, cached on disk by model and question text."""
    import hashlib

    digest = hashlib.sha256("\0".join([embedder.model_id] + [q.question for q in questions])
                            .encode()).hexdigest()[:16]
    file = cache / f"queries-{digest}.npy" if cache else None
    if file and file.is_file():
        return np.load(file)
    vecs = embedder.embed_queries([q.question for q in questions])
    if file:
        file.parent.mkdir(parents=True, exist_ok=True)
        np.save(file, vecs)
    return vecs
