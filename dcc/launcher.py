"""``make run``: prepare the database, then run web, Celery worker and Celery beat together.

A child that exits is restarted (``Supervisor``: at most ``DCC_MAX_RESTARTS`` times in five minutes, then left
stopped while the others go on); only Ctrl-C (or SIGTERM) stops every process started here, including the
embedded PostgreSQL and Redis when this launcher started them.
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
APP_ROLE = "dcc_app"


def _say(line: str) -> None:
    print(f"[dcc] {line}", flush=True)


def _start_mss_operator(data: Path):
    """Start the local MSSanté operator (its directory from the database), point DCC_MSS_* to it."""
    import json

    from django.conf import settings

    from interop.mss.demo_directory import write

    state = data / "mss-operator"
    directory = state / "annuaire.txt"
    behaviours = write(directory, patient_domain=settings.DCC_MSS_PATIENT_DOMAIN)
    ports = {
        name: os.environ.get(f"DCC_MSS_OPERATOR_{name.upper()}_PORT", default)
        for name, default in (("smtp", "8587"), ("imap", "8143"), ("web", "8025"))
    }
    (state / "ready.json").unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "interop.mss.operator",
            "--state-dir",
            str(state),
            "--directory",
            str(directory),
            "--smtp-port",
            ports["smtp"],
            "--imap-port",
            ports["imap"],
            "--web-port",
            ports["web"],
        ],
        cwd=BASE_DIR,
    )
    deadline = time.monotonic() + 60
    while not (state / "ready.json").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            _say("ERREUR : l'opérateur MSSanté local n'a pas démarré ; les envois MSSanté attendront.")
            return None
        time.sleep(0.2)
    ready = json.loads((state / "ready.json").read_text())
    os.environ.update(
        {
            "DCC_MSS_SMTP_HOST": ready["host"],
            "DCC_MSS_SMTP_PORT": str(ready["smtp_port"]),
            "DCC_MSS_IMAP_HOST": ready["host"],
            "DCC_MSS_IMAP_PORT": str(ready["imap_port"]),
            "DCC_MSS_ADDRESS": ready["dcc_address"],
            "DCC_MSS_PASSWORD": ready["password"],
            "DCC_MSS_CERT_FILE": ready["client_cert"],
            "DCC_MSS_KEY_FILE": ready["client_key"],
            "DCC_MSS_CA_BUNDLE": ready["ca"],
            "DCC_MSS_POLL_SECONDS": os.environ.get("DCC_MSS_POLL_SECONDS", "5"),
        }
    )
    return process, ready, behaviours


class Supervisor:
    """Runs the children; restarts one that exits (at most ``max_restarts`` in ``window`` seconds, with a growing
    pause), gives up on one that keeps crashing while the others go on, and stops them all only when asked
    (Ctrl-C, SIGTERM)."""

    def __init__(self, commands: dict[str, list[str]], *, cwd, max_restarts: int | None = None, window: float = 300):
        self.commands = commands
        self.cwd = cwd
        self.max_restarts = max_restarts if max_restarts is not None else int(os.environ.get("DCC_MAX_RESTARTS", 5))
        self.window = window
        self.processes: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, list[float]] = {name: [] for name in commands}
        self.abandoned: set[str] = set()
        self.stopping = False

    def start(self) -> None:
        for name in self.commands:
            self._spawn(name)

    def _spawn(self, name: str) -> None:
        self.processes[name] = subprocess.Popen(self.commands[name], cwd=self.cwd)

    def adopt(self, name: str, process: subprocess.Popen) -> None:
        """Supervise a child started elsewhere (it had to be ready before the others started)."""
        self.commands[name] = list(process.args)
        self.processes[name] = process
        self.restarts[name] = []

    def alive(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def check(self) -> None:
        """One pass: restart (or give up on) every child that exited."""
        now = time.monotonic()
        for name, process in list(self.processes.items()):
            if name in self.abandoned or process.poll() is None or self.stopping:
                continue
            recent = [at for at in self.restarts[name] if now - at < self.window]
            if len(recent) >= self.max_restarts:
                self.abandoned.add(name)
                _say(
                    f"ERREUR : le processus {name} s'est arrêté {len(recent) + 1} fois en {self.window:.0f} s "
                    f"(code {process.returncode}) : il n'est plus relancé, les autres continuent. "
                    "Ctrl-C pour tout arrêter."
                )
                continue
            pause = min(2 ** len(recent) * 0.5, 10)
            _say(f"Le processus {name} s'est arrêté (code {process.returncode}) : relance dans {pause:.1f} s.")
            time.sleep(pause)
            recent.append(time.monotonic())
            self.restarts[name] = recent
            self._spawn(name)

    def run(self) -> None:
        def stop(*_):
            self.stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not self.stopping:
            self.check()
            time.sleep(0.5)
        _say("Arrêt en cours…")
        self.stop()

    def stop(self, timeout: float = 15) -> None:
        self.stopping = True
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> int:
    begun = time.monotonic()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.demo")
    from dcc.embedded import EmbeddedServiceError, configure_environment, stop_postgres, stop_redis

    embedded_database = not os.environ.get("DATABASE_URL")
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
        if embedded_database:  # the children connect as the role that owns nothing (dcc/dbroles.py)
            call_command("db_application_role", role=APP_ROLE, password="", verbosity=0)
            os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].replace("://postgres@", f"://{APP_ROLE}@", 1)
            _say(f"L'application se connecte en tant que {APP_ROLE} (traçabilité en ajout seul).")
    except Exception as exc:
        _say(f"ERREUR : la préparation de la base a échoué : {exc}")
        return 1
    finally:
        from django.db import connections

        connections.close_all()

    data = BASE_DIR / ".data"
    commands = {
        # Workers and threads: dcc/gunicorn_conf.py (DCC_WEB_WORKERS, DCC_WEB_THREADS).
        "web": [str(BIN / "gunicorn"), "-c", "python:dcc.gunicorn_conf", "dcc.wsgi", "--bind", f"{host}:{port}"],
        "worker": [
            str(BIN / "celery"),
            "-A",
            "dcc",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--hostname",
            "demo@%h",
            "--queues",
            ",".join(settings.DCC_CELERY_QUEUES),
        ],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "dcc",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(data / "celerybeat-schedule"),
            "--pidfile",
            "",
        ],
    }
    if not os.environ.get("DCC_INSI_URL"):  # embedded default: the local INSi teleservice
        insi_port = os.environ.setdefault("DCC_INSI_STANDIN_PORT", "8089")
        os.environ["DCC_INSI_URL"] = f"http://127.0.0.1:{insi_port}/insi"
        commands["insi"] = [PYTHON, "-m", "identity.insi.standin", "--port", insi_port]
    mllp_port = os.environ.get("DCC_MLLP_PORT", "2575")
    commands["mllp"] = [PYTHON, "-m", "interop.hl7.listener", "--port", mllp_port]
    from django.conf import settings as django_settings

    # The demo's test receiver: the CHU's partner subscribed to the DCC's documents (seed_demo) sends here.
    receiver_port = str(django_settings.DCC_HL7_DEMO_RECEIVER_PORT)
    commands["hl7-recepteur"] = [
        PYTHON,
        "-m",
        "interop.hl7.demo_receiver",
        "--port",
        receiver_port,
        "--dir",
        str(data / "hl7-recu"),
    ]
    imaging_port = str(django_settings.DCC_IMAGING_STANDIN_PORT)  # the demo PACS (seed_demo points the CHU's PACS here)
    commands["imagerie"] = [
        PYTHON,
        "-m",
        "interop.imaging.standin",
        "--port",
        imaging_port,
        "--studies",
        django_settings.DCC_IMAGING_STANDIN_STUDIES,
        "--qido-port",
        str(django_settings.DCC_IMAGING_STANDIN_WEB_PORT),
    ]
    mss_operator = None
    if not os.environ.get("DCC_MSS_SMTP_HOST"):  # embedded default: the local MSSanté operator
        mss_operator = _start_mss_operator(data)
    supervisor = Supervisor(commands, cwd=BASE_DIR)
    supervisor.start()
    if mss_operator is not None:
        supervisor.adopt("mss-operator", mss_operator[0])

    from dcc.accounts.demo import DEMO_PASSWORD, PERSONAS
    from dcc.accounts.enums import Profile
    from dcc.embedded import _port_is_open

    deadline = time.monotonic() + 90
    while not _port_is_open(int(port)) and time.monotonic() < deadline and supervisor.alive("web"):
        time.sleep(0.3)
    _say("")
    _say(f"Le DCC est prêt en {time.monotonic() - begun:.0f} s : http://{host}:{port}/")
    _say(f"HL7 v2 (MLLP) : 127.0.0.1:{mllp_port} (ADT^A28/A31/A40/A47, MDM^T02/T10/T04, ORU^R01)")
    _say(
        f"Récepteur HL7 de démonstration (documents du DCC vers le CHU, MDM^T02/T10) : 127.0.0.1:"
        f"{django_settings.DCC_HL7_DEMO_RECEIVER_PORT}, messages écrits dans {data / 'hl7-recu'}"
    )
    _say(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for persona in PERSONAS:
        _say(f"  {persona.email:<38} {Profile(persona.profile).label}")
    _say(f"Simulateur DPI (appel contextuel, admin@demo.dcc.test) : http://{host}:{port}/appel-contextuel/simulateur/")
    _say(
        f"PACS de démonstration (DICOM C-FIND) : 127.0.0.1:{imaging_port}, titre AE DCC-PACS-DEMO ; visionneuse : "
        f"http://127.0.0.1:{django_settings.DCC_IMAGING_STANDIN_WEB_PORT}/viewer"
    )
    if mss_operator is not None:
        ready, behaviours = mss_operator[1], mss_operator[2]
        _say(
            f"Opérateur MSSanté local : SMTP {ready['host']}:{ready['smtp_port']}, IMAP {ready['host']}:"
            f"{ready['imap_port']} ; boîtes aux lettres lisibles sur {ready['web_url']}"
        )
        for address, behaviour in behaviours.items():
            answer = "« traité »" if behaviour == "processed" else "en erreur 902"
            _say(f"  {address} répond par un accusé de lecture {answer}")
    _say("Ctrl-C pour tout arrêter.")

    supervisor.run()  # until Ctrl-C (or SIGTERM): a crashed child is restarted, within a limit
    if "redis" in started:
        stop_redis()
    if "postgres" in started:
        stop_postgres()
    _say("Tout est arrêté.")
    return 0 if not supervisor.abandoned else 1


if __name__ == "__main__":
    sys.exit(main())
