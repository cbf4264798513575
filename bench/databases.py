"""The benchmarks' own databases, next to the one ``DATABASE_URL`` names (never that one)."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit


def bench_database_url(suffix: str) -> str:
    """``DATABASE_URL`` with ``_<suffix>`` added to the database's name."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit(f"DATABASE_URL doit désigner le serveur PostgreSQL (la base <nom>_{suffix} y sera créée).")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + parts.path.lstrip("/") + f"_{suffix}"))


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the database ``url`` names when missing (dropped first with ``fresh``)."""
    import psycopg

    if fresh:
        drop_database(url)
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
