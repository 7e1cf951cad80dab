"""The ``askposts`` command: a thin layer over the Python API.

Exit codes: 0 success; 1 the index was built but some files were skipped (listed); 2 bad usage
or an error (message on stderr, in Spanish).
"""
from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .errors import AskpostsError
from .settings import Settings

EXIT_OK, EXIT_SKIPPED, EXIT_ERROR = 0, 1, 2


def _settings(args) -> Settings:
    return Settings.load(args.config, site_url=getattr(args, "site_url", None),
                         model=getattr(args, "model", None))


def _progress_bar():
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="pasajes", desc="Calculando vectores", file=sys.stderr)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def print_report(report, out=None) -> None:
    p = lambda *a: print(*a, file=out or sys.stdout)  # noqa: E731
    p(f"Archivos: {report.files}  publicaciones: {report.posts}  pasajes: {report.passages}  "
      f"frases: {report.sentences}")
    p(f"Cambios: {len(report.added)} nuevos, {len(report.updated)} modificados, "
      f"{len(report.removed)} eliminados, {len(report.renamed)} renombrados, "
      f"{report.unchanged} sin cambios")
    p(f"Vectores calculados: {report.embedded}  reutilizados: {report.reused}  "
      f"tiempo: {report.seconds:.1f} s")
    if not report.published:
        p("Nada cambió: el índice publicado sigue vigente.")
    for problem in report.problems:
        kind = "omitido" if problem.skipped else "aviso"
        p(f"  [{kind}] {problem.path}: {problem.reason}")


def cmd_index(args) -> int:
    from .indexer import Builder

    builder = Builder(_settings(args))
    _, report = builder.build(args.content, args.index, rebuild=args.rebuild,
                              progress=_progress_bar(), wait=args.wait)
    print_report(report)
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def _open(args):
    from .index import build_index, open_index

    settings = _settings(args)
    if getattr(args, "content", None):
        return build_index(args.content, args.index, settings, progress=_progress_bar())
    return open_index(args.index, settings)


def _filters(args) -> dict:
    return {"collections": args.collection or None, "programmes": args.programme or None,
            "since": args.since, "until": args.until}


def cmd_search(args) -> int:
    index = _open(args)
    hits = index.search(args.question, k=args.k, **_filters(args))
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


def cmd_eval(args) -> int:
    from .evaluate import evaluate, format_report, read_questions

    index = _open(args)
    report, rows = evaluate(index, read_questions(args.questions), k=10)
    if args.run_out:
        with open(args.run_out, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({"id": r["id"], "ranked": r["ranked"],
                                     "answered": r["answered"], "reason": r["reason"]},
                                    ensure_ascii=False) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json
          else format_report(report))
    return EXIT_OK


def _common(p: argparse.ArgumentParser, content: bool = False) -> None:
    p.add_argument("--index", default="index", help="carpeta del índice (por defecto: index)")
    p.add_argument("--config", help="archivo de configuración TOML")
    p.add_argument("--site-url", help="URL pública del sitio, p. ej. https://redciudadana.org")
    p.add_argument("--model", help="modelo de sentence-transformers (nombre o carpeta)")
    if content:
        p.add_argument("--content", help="construir o actualizar antes el índice de esta carpeta")


def _search_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--collection", action="append", help="colección (se puede repetir)")
    p.add_argument("--programme", action="append", help="programa (se puede repetir)")
    p.add_argument("--since", help="desde la fecha AAAA, AAAA-MM o AAAA-MM-DD")
    p.add_argument("--until", help="hasta la fecha AAAA, AAAA-MM o AAAA-MM-DD")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="askposts", description="Preguntas en español sobre "
                                 "las publicaciones de una organización.")
    ap.add_argument("--version", action="version", version=f"askposts {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="indexar (o actualizar) una carpeta de contenido")
    p.add_argument("content", help="carpeta con los archivos Markdown")
    _common(p)
    p.add_argument("--rebuild", action="store_true", help="recalcular todo desde cero")
    p.add_argument("--wait", type=float, default=0.0,
                   help="segundos a esperar si otro proceso está indexando")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="buscar publicaciones")
    p.add_argument("question")
    p.add_argument("--k", type=int, default=5, help="cuántas publicaciones (por defecto 5)")
    p.add_argument("--json", action="store_true", help="salida JSON")
    _common(p, content=True)
    _search_filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("eval", help="medir la búsqueda con preguntas etiquetadas")
    p.add_argument("questions", help="archivo JSONL de preguntas")
    p.add_argument("--json", action="store_true")
    p.add_argument("--run-out", help="escribir una línea por pregunta en este archivo")
    _common(p, content=True)
    p.set_defaults(func=cmd_eval)

    for extra in _extra_commands():
        extra(sub, _common, _search_filters)
    return ap


def _extra_commands():
    """Commands that live in their own modules (answers, web, watch)."""
    from . import cli_more

    return cli_more.COMMANDS


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("Interrumpido.", file=sys.stderr)
        return EXIT_ERROR
    except AskpostsError as exc:  # anything else is a bug and shows as one
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
