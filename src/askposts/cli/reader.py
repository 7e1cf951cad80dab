"""``askposts fit-reader``: train the reader from the shared data and write its weights."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .common import EXIT_OK, add_common, settings_of

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "answering"


def cmd_fit_reader(args: argparse.Namespace) -> int:
    """Train the reader on English SQuAD, measure it held out in Spanish, save it."""
    from ..fitting.reader_fit import ReaderFitConfig
    from ..fitting.reader_job import fit_reader

    settings = settings_of(args)
    work = Path(args.work) if args.work else settings.cache_dir / "fit-reader"
    cfg = ReaderFitConfig(layers=args.layers, questions=args.train_questions,
                          checkpoint_every=args.checkpoint_every, seed=args.seed,
                          stop_after=args.stop_after)
    embedder = args.embedder
    if embedder is None and not args.no_baseline:
        from ..embedding.embedder import load_embedder

        embedder = load_embedder(settings)
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    manifest = fit_reader(args.squad_en, args.squad_es, args.questions or [], args.content,
                          cfg, Path(args.out), work, settings.cache_dir, args.sample,
                          embedder, log, args.resume)
    print(json.dumps({k: v for k, v in manifest.items() if k != "curve"},
                     ensure_ascii=False, indent=1))
    print(f"Lector guardado en {Path(args.out)}", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``fit-reader`` to the ``askposts`` parser."""
    p = sub.add_parser("fit-reader", help="entrenar el lector (elige el pasaje que responde)")
    p.add_argument("--squad-en", required=True,
                   help="preguntas para entrenar, formato SQuAD (p. ej. SQuAD v1.1 en inglés)")
    p.add_argument("--squad-es",
                   help="preguntas SQuAD en español para medir (no se entrena con ellas)")
    p.add_argument("--questions", nargs="+", help="preguntas del sitio para medir (JSONL)")
    p.add_argument("--content", help="carpeta de contenido de esas preguntas")
    p.add_argument("--out", default=str(DEFAULT_OUT),
                   help="carpeta donde escribir reader.safetensors y reader.json")
    p.add_argument("--work", help="carpeta de trabajo (puntos de control y curva)")
    p.add_argument("--layers", type=int, default=6, help="capas de e5 que usa el lector")
    p.add_argument("--train-questions", type=int, default=36000,
                   help="preguntas de entrenamiento en total")
    p.add_argument("--stop-after", type=int, default=0,
                   help="parar tras N preguntas (el calendario sigue siendo el completo)")
    p.add_argument("--checkpoint-every", type=int, default=2000,
                   help="guardar y medir cada N preguntas")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--resume", action="store_true",
                   help="seguir desde el último punto de control de --work (misma configuración)")
    p.add_argument("--sample", type=int, help="usar solo N artículos y N preguntas (pruebas)")
    p.add_argument("--no-baseline", action="store_true",
                   help="no medir el coseno de e5 (más rápido)")
    add_common(p)
    p.set_defaults(func=cmd_fit_reader)
