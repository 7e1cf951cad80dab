"""``askposts questions`` (the content-gap report, purge) and ``askposts staff-password``."""
from __future__ import annotations

import argparse
import getpass
import json
import sys

from ..filters import parse_bound
from ..questionlog.log import QuestionLog, log_target
from ..serving.auth import hash_password
from .common import EXIT_ERROR, EXIT_OK, add_common, open_for, settings_of


def _log(args: argparse.Namespace) -> QuestionLog:
    settings = settings_of(args)
    return QuestionLog(log_target(settings, args.index), settings.question_log_days)


def cmd_questions(args: argparse.Namespace) -> int:
    """The content-gap report (text, JSON or CSV), or ``purge`` of old questions."""
    from ..questionlog.gaps import content_gaps
    from ..serving.render import gaps_csv

    qlog = _log(args)
    if args.action == "purge":
        before = parse_bound(args.before, upper=False) if args.before else None
        print(f"Preguntas borradas: {qlog.purge(before)}")
        return EXIT_OK
    since = parse_bound(args.since, upper=False) if args.since else None
    rows = qlog.rows(since=since, unanswered=args.unanswered)
    gaps = content_gaps(rows, open_for(args)) if rows else []
    if args.csv:
        sys.stdout.write(gaps_csv(gaps))
    elif args.json:
        print(json.dumps({"questions": len(rows), "groups": [g.to_dict() for g in gaps]},
                         ensure_ascii=False, indent=2))
    elif not gaps:
        print("No hay preguntas registradas con esos criterios.")
    for n, gap in enumerate(gaps if not (args.csv or args.json) else (), 1):
        print(f"{n}. {gap.count} vez/veces ({gap.first_seen} … {gap.last_seen}), "
              f"👍 {gap.useful} 👎 {gap.not_useful}")
        for example in gap.examples:
            print(f"   «{example}»")
        for post in gap.closest:
            print(f"   -> {post['title']} ({post['url'] or post['path']})")
    return EXIT_OK


def cmd_staff_password(args: argparse.Namespace) -> int:
    """Ask for a password twice and print the line for ``askposts.toml``."""
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Contraseña del área del personal: ")
        if getpass.getpass("Repítala: ") != password:
            print("Error: las contraseñas no coinciden.", file=sys.stderr)
            return EXIT_ERROR
    if len(password) < 10:
        print("Error: use al menos 10 caracteres.", file=sys.stderr)
        return EXIT_ERROR
    print(f'staff_password_hash = "{hash_password(password)}"')
    print("Copie esta línea en askposts.toml (o en ASKPOSTS_STAFF_PASSWORD_HASH).",
          file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add the two commands to the ``askposts`` parser."""
    p = sub.add_parser("questions", help="preguntas registradas: informe de lo que falta, "
                                         "o 'purge' para borrarlas")
    p.add_argument("action", nargs="?", choices=["purge"], help="purge: borrar preguntas")
    p.add_argument("--before", help="con purge: borrar las anteriores a AAAA-MM-DD "
                                    "(por defecto: las más viejas que question_log_days)")
    p.add_argument("--since", help="solo desde AAAA-MM-DD")
    p.add_argument("--unanswered", action="store_true",
                   help="solo las no respondidas, con poca confianza o marcadas no útiles")
    p.add_argument("--csv", action="store_true", help="una fila por pregunta, con su grupo")
    p.add_argument("--json", action="store_true", help="salida JSON")
    add_common(p)
    p.set_defaults(func=cmd_questions)

    p = sub.add_parser("staff-password", help="crear la contraseña del área del personal")
    p.add_argument("--stdin", action="store_true", help="leer la contraseña de la entrada")
    p.set_defaults(func=cmd_staff_password)
