"""``askposts index``, ``search`` and ``eval``: build the index, find posts, measure."""
from __future__ import annotations

import argparse
import json

from .common import (
    EXIT_OK,
    EXIT_SKIPPED,
    add_common,
    add_filters,
    builder_of,
    filters_of,
    open_for,
    print_report,
    progress_bar,
)


def cmd_index(args: argparse.Namespace) -> int:
    """Build or update the index; exit 1 when some files were skipped (listed)."""
    _, report = builder_of(args).build(args.content, args.index, rebuild=args.rebuild,
                                       progress=progress_bar(), wait=args.wait)
    print_report(report)
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    """The best posts for a question, as text or JSON."""
    hits = open_for(args).search(args.question, k=args.k, filters=filters_of(args))
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not hits:
        print("Sin resultados.")
    for i, h in enumerate(hits, 1):
        print(f"{i}. {h.title}  [{h.collection}, {h.date or 'sin fecha'}]  {h.score:.3f}")
        print(f"   {h.url or h.path}")
        excerpt = h.text if len(h.text) <= 300 else h.text[:297] + "..."
        print(f"   {excerpt}\n")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    """Retrieval and reply metrics on labelled questions."""
    from ..fitting.evaluate import evaluate, format_report, read_questions

    report, rows = evaluate(open_for(args), read_questions(args.questions), k=10)
    if args.run_out:
        with open(args.run_out, "w", encoding="utf-8") as fh:
            for r in rows:
                keep = ("id", "ranked", "grade", "answered", "holds", "quote_words", "reason")
                fh.write(json.dumps({k: r[k] for k in keep if k in r}, ensure_ascii=False)
                         + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json
          else format_report(report))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add the three commands to the ``askposts`` parser."""
    p = sub.add_parser("index", help="indexar (o actualizar) una carpeta de contenido")
    p.add_argument("content", help="carpeta con los archivos Markdown")
    add_common(p)
    p.add_argument("--rebuild", action="store_true", help="recalcular todo desde cero")
    p.add_argument("--wait", type=float, default=0.0,
                   help="segundos a esperar si otro proceso está indexando")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="buscar publicaciones")
    p.add_argument("question")
    p.add_argument("--k", type=int, default=5, help="cuántas publicaciones (por defecto 5)")
    p.add_argument("--json", action="store_true", help="salida JSON")
    add_common(p, content=True)
    add_filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("eval", help="medir la búsqueda con preguntas etiquetadas")
    p.add_argument("questions", help="archivo JSONL de preguntas")
    p.add_argument("--json", action="store_true")
    p.add_argument("--run-out", help="escribir una línea por pregunta en este archivo")
    add_common(p, content=True)
    p.set_defaults(func=cmd_eval)
