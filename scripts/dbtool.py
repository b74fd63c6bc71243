"""Tiny PostgreSQL helper for the set-up script: `ping URL` and `create URL`.

It uses psycopg from the virtualenv so the set-up needs no psql client or password files.
"""

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def _maintenance_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/") or "postgres"
    return urlunsplit(parts._replace(path="/postgres")), dbname


def main() -> int:
    command, url = sys.argv[1], sys.argv[2]
    admin_url, dbname = _maintenance_url(url)
    with psycopg.connect(admin_url, connect_timeout=3, autocommit=True) as conn:
        if command == "ping":
            conn.execute("SELECT 1")
            return 0
        if command == "create":
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            return 0
    print(f"unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
