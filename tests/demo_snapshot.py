"""The demo region, seeded once per test session and copied into the test database for each test that asks.

``seed_demo`` takes one to two minutes (it files real PDF/A and CDA documents through the pipeline) and about
fifteen tests need the whole demo. When the collected tests include one that uses the ``demo`` fixture, the
session starts a subprocess at once that migrates a database of its own (``<test database>_demo``) and seeds it
exactly as ``make run`` does, while the other tests run on the second core. The first ``demo`` test waits for it,
reads every table's rows once (binary ``COPY``) and keeps them in memory; each ``demo`` test then empties the
test database and copies the rows back in (seconds), with the sequences. The files the seed stored live in one
session folder, which the storage settings point to during such a test.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

SEED_TIMEOUT = 900  # seconds; a seed on a loaded 2-core machine takes several minutes


@dataclass
class DemoSeed:
    """The background seed: its process, its database and its files."""

    database_url: str
    media: Path
    log: Path
    process: subprocess.Popen | None = None
    log_handle: io.TextIOWrapper | None = None
    tables: dict[str, tuple[list[str], bytes]] = field(default_factory=dict)
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)

    def start(self, *, admin_url: str, name: str, redis_url: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.media.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dcc.settings.test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": redis_url,
            "DCC_MEDIA_ROOT": str(self.media),
            "DCC_IMAGING_STANDIN_STUDIES": str(self.media / "standin-studies.json"),
        }
        manage = [sys.executable, "manage.py"]
        script = f"{' '.join(manage)} migrate --noinput -v 0 && {' '.join(manage)} seed_demo -v 2"
        self.log_handle = self.log.open("w")
        self.process = subprocess.Popen(
            ["bash", "-c", script],
            env=env,
            stdout=self.log_handle,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
        )

    def wait(self) -> None:
        """Wait for the seed, then read its rows once."""
        if self.tables:
            return
        assert self.process is not None, "la démonstration n'a pas été lancée"
        try:
            code = self.process.wait(timeout=SEED_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"seed_demo n'a pas fini en {SEED_TIMEOUT} s : voir {self.log}") from None
        self.stop()
        if code != 0:
            raise AssertionError(f"seed_demo a échoué (code {code}) : voir {self.log}")
        self._read()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.log_handle is not None:
            self.log_handle.close()
            self.log_handle = None

    def _read(self) -> None:
        with psycopg.connect(self.database_url) as conn:
            for table in _tables(conn):
                columns = _columns(conn, table)
                buffer = io.BytesIO()
                query = sql.SQL("COPY {} ({}) TO STDOUT (FORMAT BINARY)").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with conn.cursor().copy(query) as copy:
                    for chunk in copy:
                        buffer.write(chunk)
                self.tables[table] = (columns, buffer.getvalue())
            rows = conn.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
            self.sequences = {name: (value or 1, value is not None) for name, value in rows}

    def restore(self, cursor) -> None:
        """Replace the test database's rows by the demo's, through Django's cursor (inside its transaction)."""
        names = sql.SQL(", ").join(sql.Identifier(table) for table in self.tables)
        # Triggers (the trail's guards, the foreign keys' checks) stay off while the rows go back as they were.
        # Rows the test wrote before (value sets, personas) may leave deferred foreign-key checks pending, which
        # TRUNCATE refuses: run them now, and defer again afterwards as Django's constraints are declared.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql.SQL("TRUNCATE {}").format(names).as_string(cursor.connection))
            for table, (columns, data) in self.tables.items():
                query = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with cursor.copy(query) as copy:
                    copy.write(data)
            for name, (value, called) in self.sequences.items():
                cursor.execute("SELECT setval(%s, %s, %s)", [name, value, called])
        finally:
            cursor.execute("SET session_replication_role = origin")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("ANALYZE")


def _tables(conn) -> list[str]:
    """Every ordinary table (partitions included, partitioned parents excluded) but the migrations' record."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'django_migrations' ORDER BY c.relname"
    )
    return [name for (name,) in rows]


def _columns(conn, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "AND attgenerated = '' ORDER BY attnum",
        [sql.Identifier(table).as_string(conn)],
    )
    return [name for (name,) in rows]
