"""``askposts ask``, ``serve``, ``watch`` and ``fit``: answers, the web app, keeping up, fitting."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..fitting.fit_reading import READ_TOP
from ..spanish import messages as msg
from ..spanish.words import spanish_date
from .common import (
    EXIT_ERROR,
    EXIT_OK,
    add_common,
    add_filters,
    builder_of,
    filters_of,
    open_for,
    print_report,
    progress_bar,
    settings_of,
)


def cmd_ask(args: argparse.Namespace) -> int:
    """An answer with its sources, as text or JSON."""
    answer = open_for(args).ask(args.question, filters_of(args))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(answer.text)
    for title, hits in (("Fuentes", answer.citations),
                        ("Publicaciones relacionadas", answer.related)):
        if hits:
            print(f"\n{title}:")
        for i, h in enumerate(hits, 1):
            date = spanish_date(h.date) or "sin fecha"
            print(f"  [{i}] {h.title} ({h.collection}, {date}) {h.url or h.path}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """The chat and the HTTP API on one port, in one or more processes."""
    import uvicorn

    index = open_for(args)  # builds or checks the index once, before any worker starts
    settings = index.settings
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    print(f"askposts en http://{host}:{port}  ({workers} proceso(s); Ctrl+C para salir)",
          file=sys.stderr)
    if args.mcp:
        print(f"MCP en http://{host}:{port}/mcp/gradio_api/mcp/", file=sys.stderr)
    if workers > 1:
        print(msg.WORKERS_CHAT, file=sys.stderr)
        # Each worker opens the same index folder and follows new generations on its own.
        os.environ["ASKPOSTS_SERVE_INDEX"] = str(index.folder.path)
        if args.config:
            os.environ["ASKPOSTS_CONFIG"] = args.config
        if args.site_url:
            os.environ["ASKPOSTS_SITE_URL"] = args.site_url
        if args.mcp:
            os.environ["ASKPOSTS_SERVE_MCP"] = "1"
        if args.content:
            os.environ["ASKPOSTS_SERVE_CONTENT"] = str(Path(args.content).resolve())
        # The owner of the chat's lock and private socket (serving.affinity): a folder of
        # our own, for this run.
        shared = tempfile.mkdtemp(prefix="askposts-serve-")
        os.environ["ASKPOSTS_SERVE_SHARED"] = shared
        try:
            uvicorn.run("askposts.serving.factory:create", factory=True, host=host, port=port,
                        workers=workers, log_level="warning", access_log=False,
                        timeout_graceful_shutdown=5, proxy_headers=False)
        finally:
            shutil.rmtree(shared, ignore_errors=True)
        return EXIT_OK
    from ..serving.factory import app_for

    # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1 by default;
    # the app believes only settings.trusted_proxies (serving.app).
    uvicorn.run(app_for(index, mcp=args.mcp, content=args.content), host=host, port=port,
                log_level="warning", access_log=False, timeout_graceful_shutdown=5,
                proxy_headers=False)
    return EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    """Build, then rebuild whenever the content folder changes (Ctrl+C stops)."""
    from watchfiles import watch

    builder = builder_of(args)
    _, report = builder.build(args.content, args.index, progress=progress_bar(), wait=60)
    print_report(report)
    print(f"Vigilando {args.content} (Ctrl+C para salir)…", file=sys.stderr)
    for _changes in watch(args.content, debounce=1000, step=200):
        _, report = builder.build(args.content, args.index, progress=progress_bar(), wait=60)
        print_report(report)
    return EXIT_OK


def cmd_fit(args: argparse.Namespace) -> int:
    """Fit the answer model on labelled questions (grouped cross-validation) and save it."""
    from ..fitting.train import fit, load_datasets

    builder = builder_of(args)
    work = Path(args.work) if args.work else settings_of(args).cache_dir / "fit"
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    said: dict = {}
    datasets = load_datasets(builder, work, args.squad, args.questions, args.content,
                             args.sample, log, args.corrections, said)
    if not datasets:
        print("Error: indique --squad o --questions con --content.", file=sys.stderr)
        return EXIT_ERROR
    reader = None
    if not args.no_reader:
        from ..answering.reader import load_reader

        reader = load_reader(builder.settings, builder.embedder)
    model, report = fit(datasets, builder.analyzer, log=log, reader=reader, work=work,
                        read_top=args.read_top)
    model.save(args.out)
    print(json.dumps({**report, **said}, ensure_ascii=False, indent=1))
    print(f"Modelo guardado en {Path(args.out)}", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add the four commands to the ``askposts`` parser."""
    p = sub.add_parser("ask", help="responder una pregunta con citas")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="salida JSON")
    add_common(p, content=True)
    add_filters(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("serve", help="abrir el chat web y la API HTTP")
    add_common(p, content=True)
    p.add_argument("--host", help="dirección (por defecto 127.0.0.1)")
    p.add_argument("--port", type=int, help="puerto (por defecto 7860)")
    p.add_argument("--workers", type=int, help="procesos que atienden en el mismo puerto")
    p.add_argument("--mcp", action="store_true",
                   help="servir también las herramientas MCP en /mcp/gradio_api/mcp/")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("watch", help="reindexar cuando cambien los archivos")
    p.add_argument("content", help="carpeta con los archivos Markdown")
    add_common(p)
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("fit", help="ajustar el modelo de respuestas con preguntas etiquetadas")
    p.add_argument("--squad", help="preguntas en formato SQuAD 2.0 (p. ej. SQuAD-es v2)")
    p.add_argument("--questions", nargs="+",
                   help="preguntas del sitio (uno o más JSONL como dev.jsonl)")
    p.add_argument("--content", help="carpeta de contenido de esas preguntas")
    p.add_argument("--corrections",
                   help="correcciones del personal (GET /api/corrections?format=jsonl): se "
                        "suman a las preguntas del sitio si su pasaje sigue publicado")
    p.add_argument("--out", default="answer_model.json", help="archivo del modelo a escribir")
    p.add_argument("--work", help="carpeta de trabajo (índices y vectores en caché)")
    p.add_argument("--sample", type=int, help="usar solo N artículos / N×25 preguntas (pruebas)")
    p.add_argument("--no-reader", action="store_true",
                   help="ajustar sin el lector (sin la etapa de lectura)")
    p.add_argument("--read-top", type=int, default=READ_TOP,
                   help=f"frases que lee el lector por pregunta (por defecto {READ_TOP})")
    add_common(p)
    p.set_defaults(func=cmd_fit)
