"""``make bench``'s reference servers answer: the bare Django project (the issue's « Django itself »)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import django
django.setup()
from django.conf import settings
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").get("/bench/minimal/")
engine = settings.DATABASES["default"]["ENGINE"]
print(response.status_code, response.content.decode(), len(settings.MIDDLEWARE), engine)
"""


def test_the_bare_django_project_serves_its_view_with_startprojects_middleware():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.bare_settings"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["200", "ok", "7", "django.db.backends.dummy"]


def test_the_bare_server_uses_the_dccs_gunicorn_settings():
    from bench import bare_gunicorn_conf
    from dcc import gunicorn_conf

    for name in ("workers", "threads", "worker_class", "timeout", "accesslog", "preload_app"):
        assert getattr(bare_gunicorn_conf, name) == getattr(gunicorn_conf, name), name
    assert bare_gunicorn_conf.when_ready is not gunicorn_conf.when_ready
