"""``make run``: prepare the database, then run web, Celery worker and Celery beat together.

Ctrl-C stops every process started here, including the embedded PostgreSQL and Redis when this
launcher started them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def _say(line: str) -> None:
    print(f"[dcc] {line}", flush=True)


def main() -> int:
    begun = time.monotonic()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.demo")
    from dcc.embedded import EmbeddedServiceError, configure_environment, stop_postgres, stop_redis

    try:
        started = configure_environment()
    except EmbeddedServiceError as exc:
        _say(f"ERREUR : {exc}")
        return 1
    from dcc.preflight import problems

    failures = problems(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
    for line in failures:
        _say(f"ERREUR : {line}")
    if failures:
        return 1
    _say(f"PostgreSQL : {os.environ['DATABASE_URL']}")
    _say(f"Redis : {os.environ['REDIS_URL']}")
    host = os.environ.get("DCC_HOST", "127.0.0.1")
    port = os.environ.get("DCC_PORT", "8000")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    try:
        # In this process: one Django start instead of three.
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("seed_demo")
    except Exception as exc:
        _say(f"ERREUR : la préparation de la base a échoué : {exc}")
        return 1
    finally:
        from django.db import connections

        connections.close_all()

    data = BASE_DIR / ".data"
    commands = {
        # Workers and threads: gunicorn.conf.py (DCC_WEB_WORKERS, DCC_WEB_THREADS), read from BASE_DIR.
        "web": [str(BIN / "gunicorn"), "dcc.wsgi", "--bind", f"{host}:{port}", "--access-logfile", "-"],
        "worker": [str(BIN / "celery"), "-A", "dcc", "worker", "--loglevel", "INFO", "--concurrency", "2",
                   "--hostname", "demo@%h", "--queues", ",".join(settings.DCC_CELERY_QUEUES)],
        "beat": [str(BIN / "celery"), "-A", "dcc", "beat", "--loglevel", "INFO",
                 "--schedule", str(data / "celerybeat-schedule"), "--pidfile", ""],
    }  # fmt: skip
    if not os.environ.get("DCC_INSI_URL"):  # embedded default: the local INSi teleservice
        insi_port = os.environ.setdefault("DCC_INSI_STANDIN_PORT", "8089")
        os.environ["DCC_INSI_URL"] = f"http://127.0.0.1:{insi_port}/insi"
        commands["insi"] = [PYTHON, "-m", "identity.insi.standin", "--port", insi_port]
    processes = {name: subprocess.Popen(cmd, cwd=BASE_DIR) for name, cmd in commands.items()}

    from dcc.accounts.demo import DEMO_PASSWORD, PERSONAS
    from dcc.accounts.enums import Profile
    from dcc.embedded import _port_is_open

    deadline = time.monotonic() + 90
    while not _port_is_open(int(port)) and time.monotonic() < deadline and processes["web"].poll() is None:
        time.sleep(0.3)
    _say("")
    _say(f"Le DCC est prêt en {time.monotonic() - begun:.0f} s : http://{host}:{port}/")
    _say(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for persona in PERSONAS:
        _say(f"  {persona.email:<38} {Profile(persona.profile).label}")
    _say("Ctrl-C pour tout arrêter.")

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                _say(f"ERREUR : le processus {name} s'est arrêté (code {process.returncode}).")
                stopping, code = True, 1
        time.sleep(0.5)

    _say("Arrêt en cours…")
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    if "redis" in started:
        stop_redis()
    if "postgres" in started:
        stop_postgres()
    _say("Tout est arrêté.")
    return code


if __name__ == "__main__":
    sys.exit(main())
