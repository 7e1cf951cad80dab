"""Sub-commands for answers, the web app and watching a folder (registered by ``cli``)."""
from __future__ import annotations

import json
import sys


def cmd_ask(args) -> int:
    from .answer import spanish_date
    from .cli import _filters, _open

    answer = _open(args).ask(args.question, **_filters(args))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(answer.text)
    for title, hits in (("Fuentes", answer.citations),
                        ("Publicaciones relacionadas", answer.related)):
        if hits:
            print(f"\n{title}:")
        for i, h in enumerate(hits, 1):
            date = spanish_date(h.date) or "sin fecha"
            print(f"  [{i}] {h.title} ({h.collection}, {date}) {h.url or h.path}")
    return 0


def cmd_serve(args) -> int:
    import os

    import uvicorn

    from .cli import _open

    index = _open(args)  # builds or checks the index once, before any worker starts
    settings = index.settings
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    print(f"askposts en http://{host}:{port}  ({workers} proceso(s); Ctrl+C para salir)",
          file=sys.stderr)
    if workers > 1:
        # Each worker opens the same index folder and follows new generations on its own.
        os.environ["ASKPOSTS_SERVE_INDEX"] = str(index.folder.path)
        if args.config:
            os.environ["ASKPOSTS_CONFIG"] = args.config
        if args.site_url:
            os.environ["ASKPOSTS_SITE_URL"] = args.site_url
        uvicorn.run("askposts.app_factory:create", factory=True, host=host, port=port,
                    workers=workers, log_level="warning", timeout_graceful_shutdown=5)
        return 0
    from .api import create_app

    index.embedder.embed_query("hola")  # load the model now, not on the first visitor's question
    uvicorn.run(create_app(index), host=host, port=port, log_level="warning",
                timeout_graceful_shutdown=5)
    return 0


def cmd_watch(args) -> int:
    from watchfiles import watch

    from .cli import _progress_bar, _settings, print_report
    from .indexer import Builder

    builder = Builder(_settings(args))
    _, report = builder.build(args.content, args.index, progress=_progress_bar(), wait=60)
    print_report(report)
    print(f"Vigilando {args.content} (Ctrl+C para salir)…", file=sys.stderr)
    for _changes in watch(args.content, debounce=1000, step=200):
        _, report = builder.build(args.content, args.index, progress=_progress_bar(), wait=60)
        print_report(report)
    return 0


def _ask_parser(sub, common, search_filters) -> None:
    p = sub.add_parser("ask", help="responder una pregunta con citas")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="salida JSON")
    common(p, content=True)
    search_filters(p)
    p.set_defaults(func=cmd_ask)


def _serve_parser(sub, common, search_filters) -> None:
    p = sub.add_parser("serve", help="abrir el chat web y la API HTTP")
    common(p, content=True)
    p.add_argument("--host", help="dirección (por defecto 127.0.0.1)")
    p.add_argument("--port", type=int, help="puerto (por defecto 7860)")
    p.add_argument("--workers", type=int, help="procesos que atienden en el mismo puerto")
    p.set_defaults(func=cmd_serve)


def _watch_parser(sub, common, search_filters) -> None:
    p = sub.add_parser("watch", help="reindexar cuando cambien los archivos")
    p.add_argument("content", help="carpeta con los archivos Markdown")
    common(p)
    p.set_defaults(func=cmd_watch)


def cmd_fit(args) -> int:
    import json as _json
    from pathlib import Path

    from .cli import _settings
    from .indexer import Builder
    from .train import fit, load_datasets

    settings = _settings(args)
    builder = Builder(settings)
    work = Path(args.work) if args.work else settings.cache_dir / "fit"
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    datasets = load_datasets(builder, work, args.squad, args.questions, args.content,
                             args.sample, log)
    if not datasets:
        print("Error: indique --squad o --questions con --content.", file=sys.stderr)
        return 2
    model, report = fit(datasets, builder.analyzer, log=log)
    model.save(args.out)
    print(_json.dumps(report, ensure_ascii=False, indent=1))
    print(f"Modelo guardado en {Path(args.out)}", file=sys.stderr)
    return 0


def _fit_parser(sub, common, search_filters) -> None:
    p = sub.add_parser("fit", help="ajustar el modelo de respuestas con preguntas etiquetadas")
    p.add_argument("--squad", help="preguntas en formato SQuAD 2.0 (p. ej. SQuAD-es v2)")
    p.add_argument("--questions", help="preguntas del sitio (JSONL como dev.jsonl)")
    p.add_argument("--content", help="carpeta de contenido de esas preguntas")
    p.add_argument("--out", default="answer_model.json", help="archivo del modelo a escribir")
    p.add_argument("--work", help="carpeta de trabajo (índices y vectores en caché)")
    p.add_argument("--sample", type=int, help="usar solo N artículos / N×25 preguntas (pruebas)")
    common(p)
    p.set_defaults(func=cmd_fit)


COMMANDS = [_ask_parser, _serve_parser, _watch_parser, _fit_parser]
