"""Retrieval and reply metrics over a labelled question file (see ../shared/eval/README.md).

Ranking metrics are at post level: a post counts once, paths are compared after NFC
normalisation. Reply metrics read the grades (answer / near / none) and, where a question has
labelled ``spanish.patterns``, whether the first quote holds it (``data.holds_evidence``).
"""
from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AskpostsError
from ..posts.plaintext import markdown_text

if TYPE_CHECKING:
    from ..index import Index


class QuestionFileError(AskpostsError, ValueError):
    """A labelled question file that cannot be read."""


def nfc(path: str) -> str:
    return unicodedata.normalize("NFC", path)


@dataclass
class Question:
    id: str
    question: str
    relevant: list[str]
    type: str = ""
    style: str = ""
    evidence: str = ""  # plain text of the labelled excerpt ("" when none)


def read_questions(path: str | Path) -> list[Question]:
    questions = []
    try:
        fh = Path(path).open(encoding="utf-8")
    except OSError as exc:
        raise QuestionFileError(f"No se puede leer {path}: {exc.strerror or exc}") from exc
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                questions.append(Question(str(row.get("id", n)), row["question"],
                                          [nfc(p) for p in row.get("relevant", [])],
                                          row.get("type", ""), row.get("style", ""),
                                          markdown_text(row.get("evidence") or "")))
            except (ValueError, KeyError, TypeError) as exc:
                raise QuestionFileError(f"{path}, línea {n}: pregunta mal formada ({exc})") from exc
    return questions


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", nfc(text)).strip()


def holds_evidence(quote: str, evidence: str, n: int = 30) -> bool:
    """Does ``answering.quote`` hold the evidence: some ``n`` consecutive characters of it (all of it
    when shorter), whitespace collapsed, NFC? The measure the answers are judged by."""
    quote, evidence = _normal(quote), _normal(evidence)
    if not quote or not evidence:
        return False
    if len(evidence) <= n:
        return evidence in quote
    return any(evidence[i:i + n] in quote for i in range(len(evidence) - n + 1))


def _dedupe(ranked: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(nfc(p) for p in ranked))


def hit_at(ranked: Sequence[str], relevant: Sequence[str], k: int) -> float:
    return float(bool(set(_dedupe(ranked)[:k]) & set(relevant)))


def recall_at(ranked: Sequence[str], relevant: Sequence[str], k: int = 10) -> float:
    found = set(_dedupe(ranked)[:k]) & set(relevant)
    return len(found) / min(k, len(set(relevant)))


def mrr_at(ranked: Sequence[str], relevant: Sequence[str], k: int = 10) -> float:
    for i, path in enumerate(_dedupe(ranked)[:k], 1):
        if path in relevant:
            return 1.0 / i
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: Sequence[str], k: int = 10) -> float:
    rel = set(relevant)
    dcg = sum(1 / math.log2(i + 1) for i, p in enumerate(_dedupe(ranked)[:k], 1) if p in rel)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(k, len(rel)) + 1))
    return dcg / ideal if ideal else 0.0


def metrics(rows: list[dict]) -> dict:
    """Aggregate per-question rows (``ranked``, ``relevant``, ``answered``)."""
    answerable = [r for r in rows if r["relevant"]]
    out: dict = {"questions": len(rows), "answerable": len(answerable)}
    if answerable:
        for name, fn in (("hit@1", lambda r: hit_at(r["ranked"], r["relevant"], 1)),
                         ("hit@5", lambda r: hit_at(r["ranked"], r["relevant"], 5)),
                         ("hit@10", lambda r: hit_at(r["ranked"], r["relevant"], 10)),
                         ("recall@10", lambda r: recall_at(r["ranked"], r["relevant"])),
                         ("mrr@10", lambda r: mrr_at(r["ranked"], r["relevant"])),
                         ("ndcg@10", lambda r: ndcg_at(r["ranked"], r["relevant"]))):
            out[name] = round(sum(map(fn, answerable)) / len(answerable), 4)
        out["refused_answerable"] = round(
            sum(not r["answered"] for r in answerable) / len(answerable), 4)
        out["none_answerable"] = _share(answerable, lambda r: r.get("grade") == "none")
        with_evidence = [r for r in answerable if r.get("holds") is not None]
        if with_evidence:
            out["quote_holds"] = _share(with_evidence, lambda r: r["holds"])
    if rows:
        out["refusal_accuracy"] = round(
            sum(r["answered"] == bool(r["relevant"]) for r in rows) / len(rows), 4)
        unanswerable = [r for r in rows if not r["relevant"]]
        if unanswerable:
            out["hedged_unanswerable"] = _share(unanswerable, lambda r: not r["answered"])
        if all(r.get("holds") is not None or not r["relevant"] for r in rows):
            out["confidently_wrong"] = _share(rows, lambda r: r["answered"] and not r["holds"])
    return out


def _share(rows: list[dict], test) -> float:
    return round(sum(1 for r in rows if test(r)) / len(rows), 4)


def evaluate(index: "Index", questions: list[Question], k: int = 10
             ) -> tuple[dict, list[dict]]:
    """Run every question; returns (report, per-question rows)."""
    rows, latencies = [], []
    for q in questions:
        started = time.perf_counter()
        hits, decision = index.search_and_judge(q.question, k=k)
        latencies.append(time.perf_counter() - started)
        answer = index.ask(q.question)
        quote = answer.citations[0].text if answer.citations else ""
        row = {"id": q.id, "type": q.type, "style": q.style, "relevant": q.relevant,
               "ranked": [h.path for h in hits], "answered": decision.found,
               "grade": decision.grade, "quote_words": len(quote.split()),
               "reason": decision.reason}
        if q.evidence or not q.relevant:  # unanswerable: any confident reply is wrong
            row["holds"] = bool(q.relevant) and holds_evidence(quote, q.evidence)
        rows.append(row)
    report = {"overall": metrics(rows)}
    for field in ("type", "style"):
        groups = defaultdict(list)
        for r in rows:
            groups[r[field]].append(r)
        report[f"by_{field}"] = {name: metrics(g) for name, g in sorted(groups.items())}
    latencies.sort()
    if latencies:
        report["latency_ms"] = {"p50": round(1000 * latencies[len(latencies) // 2], 1),
                                "p95": round(1000 * latencies[int(len(latencies) * .95)], 1)}
    return report, rows


def format_report(report: dict) -> str:
    lines = []
    cols = ("hit@1", "hit@5", "hit@10", "recall@10", "mrr@10", "ndcg@10", "quote_holds",
            "confidently_wrong", "refused_answerable", "none_answerable", "hedged_unanswerable")
    header = f"{'grupo':<22}{'n':>4} " + " ".join(f"{c[:9]:>9}" for c in cols)
    lines.append(header)

    def row(name, m):
        vals = " ".join(f"{m[c]:>9.3f}" if c in m else f"{'-':>9}" for c in cols)
        return f"{name:<22}{m['questions']:>4} {vals}"

    lines.append(row("total", report["overall"]))
    for field in ("by_type", "by_style"):
        for name, m in report[field].items():
            lines.append(row(f"{field[3:]}={name}", m))
    if "latency_ms" in report:
        lat = report["latency_ms"]
        lines.append(f"latencia por pregunta: p50 {lat['p50']} ms, p95 {lat['p95']} ms")
    return "\n".join(lines)
