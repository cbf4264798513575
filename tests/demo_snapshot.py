"""The demo region, seeded once per test session and copied into the test database for each test that asks.

``seed_demo`` takes one to two minutes (it files real PDF/A and CDA documents through the pipeline) and about
fifteen tests need the whole demo. When the collected tests include one that uses the ``demo`` fixture, the
session starts a subprocess at once that migrates a database of its own (``<test database>_demo``) and seeds it
exactly as ``make run`` does, while the other tests run on the second core. The first ``demo`` test waits for it,
reads every table's rows once (binary ``COPY``) and keeps them in memory; each ``demo`` test then empties the
test database and copies the rows back in (seconds), with the sequences. The files the seed stored live in one
session folder, which the storage settings point to during such a test.

Under pytest-xdist every worker collects the same tests: the first to take the run's lock file starts the seed,
the others find its outcome in the run's status file. The run (``DCC_TEST_RUN``, set by the controlling process)
names these files; the controlling process stops a seed still running when the run ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import signal
import subprocess
import sys
import time
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
    run_files: Path  # the run's files: <run_files>.lock, .pid and .status
    process: subprocess.Popen | None = None
    log_handle: io.TextIOWrapper | None = None
    lock_handle: io.TextIOWrapper | None = None
    tables: dict[str, tuple[list[str], bytes]] = field(default_factory=dict)
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)

    @property
    def log(self) -> Path:
        return self.run_files.parent / "test-demo.log"

    def claim(self) -> bool:
        """Take the run's lock: True for the one process of the run that starts the seed."""
        self.lock_handle = self.run_files.with_suffix(".lock").open("w")
        try:
            fcntl.flock(self.lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

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
            # A cache of its own: the seed saves users and grants, and each save drops the rights generation
            # (dcc/accounts/rights_cache.py) of whichever worker shares its Redis database and prefix.
            "DCC_CACHE_PREFIX": f"{os.environ.get('DCC_CACHE_PREFIX', 'dcc-test')}-demo-seed",
            "DCC_MEDIA_ROOT": str(self.media),
            "DCC_IMAGING_STANDIN_STUDIES": str(self.media / "standin-studies.json"),
        }
        manage = f"{sys.executable} manage.py"
        status = self.run_files.with_suffix(".status")
        script = (
            f"{{ {manage} migrate --noinput -v 0 && {manage} seed_demo -v 2; }}; "
            f"echo $? > {status}.part && mv {status}.part {status}"
        )
        self.log_handle = self.log.open("w")
        # A session of its own: the run's controlling process stops the whole group (see stop_run).
        self.process = subprocess.Popen(
            ["bash", "-c", script],
            env=env,
            stdout=self.log_handle,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
            start_new_session=True,
        )
        self.run_files.with_suffix(".pid").write_text(str(self.process.pid))

    def wait(self) -> None:
        """Wait for the seed (started by this process or another of the run), then read its rows once."""
        if self.tables:
            return
        status = self.run_files.with_suffix(".status")
        deadline = time.monotonic() + SEED_TIMEOUT
        while not status.exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"seed_demo n'a pas fini en {SEED_TIMEOUT} s : voir {self.log}")
            if not _seed_alive(self.run_files) and not status.exists():
                raise AssertionError(f"seed_demo s'est arrêté sans résultat : voir {self.log}")
            time.sleep(0.5)
        code = int(status.read_text().strip() or 1)
        if code != 0:
            raise AssertionError(f"seed_demo a échoué (code {code}) : voir {self.log}")
        self._read()

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


def stop_run(run_files: Path) -> None:
    """End of the run: stop a seed still running (its whole process group) and remove the run's files."""
    pid = _seed_pid(run_files)
    if pid is not None and _seed_alive(run_files):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    for suffix in (".lock", ".pid", ".status", ".status.part"):
        run_files.with_suffix(suffix).unlink(missing_ok=True)


def _seed_pid(run_files: Path) -> int | None:
    path = run_files.with_suffix(".pid")
    return int(path.read_text()) if path.exists() else None


def _seed_alive(run_files: Path) -> bool:
    """Is the seed's shell still running? (Before it wrote its pid file, assume so.)"""
    pid = _seed_pid(run_files)
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of this process has ended too.
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return False
    return True


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
