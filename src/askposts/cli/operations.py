"""``askposts backup`` and ``askposts restore``: the data that cannot be rebuilt."""
from __future__ import annotations

import argparse

from ..backup import Copied, backup, restore
from ..errors import AskpostsError
from ..spanish import messages as msg
from .common import EXIT_OK, settings_of


def _print(title: str, copied: list[Copied]) -> None:
    print(title)
    for c in copied:
        print(msg.BACKUP_LINE.format(file=c.file, rows=c.rows, size=max(1, c.bytes // 1024)))


def _folder_backend(args: argparse.Namespace) -> None:
    settings = settings_of(args)
    if settings.backend == "postgres":
        command = (f"pg_dump --format=custom --schema={settings.database_schema} "
                   f"--table={settings.database_schema}.questions --file=preguntas.dump "
                   "\"$ASKPOSTS_DATABASE_URL\"")
        raise AskpostsError(msg.BACKUP_POSTGRES.format(command=command))


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy while the server answers."""
    _folder_backend(args)
    _print(msg.BACKUP_DONE.format(where=args.dest), backup(args.index, args.dest, args.force))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Into a stopped server's folder; never over existing data without --force."""
    _folder_backend(args)
    _print(msg.RESTORE_DONE.format(where=args.index), restore(args.src, args.index, args.force))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add the two commands to the ``askposts`` parser."""
    for name, target, func, helps in (
            ("backup", "dest", cmd_backup,
             ("copia de seguridad del registro de preguntas y de accesos (con el servidor "
              "en marcha)", "carpeta nueva donde dejar la copia",
              "escribir aunque la carpeta ya tenga archivos")),
            ("restore", "src", cmd_restore,
             ("restaurar una copia en la carpeta del índice (con el servidor detenido)",
              "carpeta de una copia de askposts backup",
              "reemplazar los datos que ya haya en la carpeta del índice"))):
        p = sub.add_parser(name, help=helps[0])
        p.add_argument(target, help=helps[1])
        p.add_argument("--index", default="index", help="carpeta del índice (por defecto: index)")
        p.add_argument("--config", help="archivo de configuración TOML")
        p.add_argument("--database-url", help="el índice está en PostgreSQL (postgresql://…)")
        p.add_argument("--force", action="store_true", help=helps[2])
        p.set_defaults(func=func)
