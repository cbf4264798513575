"""Drill (issue 16): PostgreSQL restarted under load.

A private PostgreSQL (the embedded server's code, its data in tmp) serves the app run by gunicorn, as in
production; threads fire logged-in page views while the server is stopped, kept down, then started again. During
the outage every page is the French 503 page (never a 500, never a traceback); after the restart pages answer 200
again without restarting gunicorn (``CONN_HEALTH_CHECKS`` replaces the dead connections)."""

from __future__ import annotations

import http.client
import importlib
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from tests.platform.own_services import free_port

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

OUTAGE_SECONDS = 8
THREADS = 4

SEED = """
import django
django.setup()
from django.test import Client
from tests.personas import build_personas
doctor = build_personas()["doctor"]
client = Client()
client.force_login(doctor)
print("SESSION=" + client.cookies[__import__("django.conf").conf.settings.SESSION_COOKIE_NAME].value)
"""


@pytest.fixture
def private_postgres(tmp_path, monkeypatch):
    monkeypatch.setenv("DCC_DATA_DIR", str(tmp_path / "data"))
    import dcc.embedded

    embedded = importlib.reload(dcc.embedded)
    try:
        embedded.EmbeddedServiceError  # noqa: B018
        embedded._pg_install_dir()
    except embedded.EmbeddedServiceError as error:
        pytest.skip(str(error))
    started = embedded.ensure_postgres()
    try:
        yield embedded, started.url
    finally:
        embedded.stop_postgres()
        monkeypatch.delenv("DCC_DATA_DIR")
        importlib.reload(dcc.embedded)


def _get(port: int, cookie: str, path: str = "/") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def test_pages_answer_a_french_503_while_postgresql_restarts_then_200_without_restarting_the_app(
    private_postgres, tmp_path
):
    embedded, database_url = private_postgres
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dcc.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "DCC_CACHE_PREFIX": f"drill-pg-{os.getpid()}",
        "DCC_WEB_WORKERS": "2",
        "DCC_WEB_THREADS": "1",
    }
    base = settings.BASE_DIR
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], env=env, cwd=base, check=True, capture_output=True
    )
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=env, cwd=base, check=True, capture_output=True, text=True
    ).stdout
    cookie = next(line for line in seeded.splitlines() if line.startswith("SESSION=")).removeprefix("SESSION=")

    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        web = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:dcc.gunicorn_conf", "--bind",
             f"127.0.0.1:{port}", "dcc.wsgi"],
            env=env, cwd=base, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    results: list[tuple[float, int, str]] = []
    stop = threading.Event()

    def fire() -> None:
        while not stop.is_set():
            try:
                status, body = _get(port, cookie)
            except OSError as error:  # the web server itself must stay up: recorded as a failure
                status, body = -1, repr(error)
            results.append((time.monotonic(), status, body))
            time.sleep(0.05)

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if _get(port, cookie)[0] == 200:
                    break
            except OSError:
                pass
            assert web.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)

        threads = [threading.Thread(target=fire, daemon=True) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        stopping = time.monotonic()
        embedded.stop_postgres()  # fast shutdown: open connections are terminated under the requests
        stopped = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        starting = time.monotonic()
        embedded.ensure_postgres()  # returns once the server accepts connections
        restarted = time.monotonic()
        deadline = restarted + 60
        while not any(at > restarted and status == 200 for at, status, _ in list(results)):
            assert time.monotonic() < deadline, "les pages ne sont pas revenues à 200 après le redémarrage"
            time.sleep(0.1)
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
    finally:
        stop.set()
        web.terminate()
        try:
            web.wait(timeout=20)
        except subprocess.TimeoutExpired:
            web.kill()

    statuses = Counter(status for _, status, _ in results)
    assert set(statuses) <= {200, 503}, f"{statuses} ; {log.read_text()[-3000:]}"
    during = [(status, body) for at, status, body in results if stopped + 0.5 < at < starting]
    assert during and all(status == 503 for status, _ in during)
    for _, body in during[:3]:
        assert "Service momentanément indisponible" in body and '<html lang="fr">' in body
        assert "Traceback" not in body
    first_ok = min(at for at, status, _ in results if at > starting and status == 200)
    # A request refused just before the restart may still be answering; one second later, every page is back.
    after = [status for at, status, _ in results if at > first_ok + 1]
    assert after and all(status == 200 for status in after)  # recovered for good, same gunicorn
    assert web.pid and statuses[503] > 0
    print(
        f"\n{len(results)} requêtes : {dict(statuses)} ; arrêt de PostgreSQL {stopped - stopping:.1f} s, "
        f"panne {starting - stopped:.1f} s, redémarrage {restarted - starting:.1f} s, première page 200 "
        f"{first_ok - starting:.2f} s après le début du redémarrage, dernière 503 "
        f"{max(at for at, status, _ in results if status == 503) - starting:.2f} s"
    )
