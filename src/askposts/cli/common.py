"""What every sub-command shares: settings, the progress bar, opening the index, filters."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from ..filters import Filters
from ..settings import Settings
from ..spanish import messages as msg

if TYPE_CHECKING:
    from ..index import Index
    from ..indexing.builder import Builder, BuildReport

EXIT_OK, EXIT_SKIPPED, EXIT_ERROR = 0, 1, 2


def settings_of(args: argparse.Namespace) -> Settings:
    """Settings from the config file and environment, with ``--site-url``/``--model`` on top."""
    url = getattr(args, "database_url", None)
    return Settings.load(args.config, site_url=getattr(args, "site_url", None),
                         model=getattr(args, "model", None), database_url=url,
                         backend="postgres" if url else None)


def progress_bar() -> Callable[[int, int], None]:
    """A tqdm bar on stderr, created on the first update (so its rate is right)."""
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


def print_report(report: "BuildReport", out: TextIO | None = None) -> None:
    """A build report in Spanish: counts, changes, vectors, and every skipped file."""
    p = lambda *a: print(*a, file=out or sys.stdout)  # noqa: E731
    p(f"Archivos: {report.files}  publicaciones: {report.posts}  pasajes: {report.passages}  "
      f"ventanas de respuesta: {report.windows}")
    p(f"Cambios: {len(report.added)} nuevos, {len(report.updated)} modificados, "
      f"{len(report.removed)} eliminados, {len(report.renamed)} renombrados, "
      f"{report.unchanged} sin cambios")
    p(f"Vectores calculados: {report.embedded}  reutilizados: {report.reused}  "
      f"tiempo: {report.seconds:.1f} s")
    for name, (before, now) in report.changed.items():
        p(msg.BUILD_SETTING_CHANGED.format(name=name, before=before, now=now))
    if not report.published:
        p("Nada cambió: el índice publicado sigue vigente.")
    for problem in report.problems:
        kind = "omitido" if problem.skipped else "aviso"
        p(f"  [{kind}] {problem.path}: {problem.reason}")


def builder_of(args: argparse.Namespace) -> "Builder":
    """A ``Builder`` with the command's settings (and the embedder ``main`` was given)."""
    from ..indexing.builder import Builder

    return Builder(settings_of(args), getattr(args, "embedder", None))


def open_for(args: argparse.Namespace) -> "Index":
    """The index the command works on, built first when ``--content`` is given."""
    from ..index import build_index, open_index

    settings, embedder = settings_of(args), getattr(args, "embedder", None)
    if getattr(args, "content", None):
        return build_index(args.content, args.index, settings, progress=progress_bar(),
                           embedder=embedder)
    return open_index(args.index, settings, embedder)


def filters_of(args: argparse.Namespace) -> Filters:
    """``--collection``, ``--programme``, ``--since``, ``--until`` as one ``Filters``."""
    return Filters.parse(args.collection, args.programme, args.since, args.until)


def add_common(p: argparse.ArgumentParser, content: bool = False) -> None:
    """Options every command that reads an index takes."""
    p.add_argument("--index", default="index", help="carpeta del índice (por defecto: index)")
    p.add_argument("--config", help="archivo de configuración TOML")
    p.add_argument("--site-url", help="URL pública del sitio, p. ej. https://redciudadana.org")
    p.add_argument("--model", help="modelo de sentence-transformers (nombre o carpeta)")
    p.add_argument("--database-url", help="guardar el índice en PostgreSQL (postgresql://…) "
                                          "en vez de la carpeta")
    if content:
        p.add_argument("--content", help="construir o actualizar antes el índice de esta carpeta")


def add_filters(p: argparse.ArgumentParser) -> None:
    """The search filters, as options."""
    p.add_argument("--collection", action="append", help="colección (se puede repetir)")
    p.add_argument("--programme", action="append", help="programa (se puede repetir)")
    p.add_argument("--since", help="desde la fecha AAAA, AAAA-MM o AAAA-MM-DD")
    p.add_argument("--until", help="hasta la fecha AAAA, AAAA-MM o AAAA-MM-DD")
