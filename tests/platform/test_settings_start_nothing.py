"""Reading the settings starts no server: the embedded PostgreSQL and Redis come from the entry points only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

import dcc.embedded
from tests import bootstrap

# Run in a fresh interpreter: import every settings module, set Django up on the test settings, try the database.
PROBE = """
import importlib, os, sys
for module in ("dcc.settings.base", "dcc.settings.dev", "dcc.settings.demo", "dcc.settings.test"):
    importlib.import_module(module)
import django
from django.conf import settings
django.setup()
settings.INSTALLED_APPS
from django.db import connection
try:
    connection.ensure_connection()
    print("DATABASE: connected")
except Exception as exc:
    print(f"DATABASE: {type(exc).__name__}: {exc}")
print("EMBEDDED IMPORTED:", "dcc.embedded" in sys.modules)
print("URLS:", repr(os.environ.get("DATABASE_URL")), repr(os.environ.get("REDIS_URL")))
"""


def _processes_naming(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(cmdline)
    return found


def test_importing_the_settings_without_urls_starts_no_server(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DCC_CACHE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="dcc.settings.test", DCC_DATA_DIR=str(data), DJANGO_SECRET_KEY="probe")

    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert "EMBEDDED IMPORTED: False" in result.stdout
    assert "URLS: None None" in result.stdout
    assert "DATABASE: ImproperlyConfigured: DATABASE_URL n'est pas défini" in result.stdout
    assert not data.exists()  # no data folder, no remembered port, no lock
    # A server started by the probe would run on that data folder. (The default ports say nothing here: another
    # test of the run, on the other xdist worker, may start the embedded servers at the same moment.)
    assert not _processes_naming(str(data))


@pytest.fixture
def starts(monkeypatch):
    calls = []
    monkeypatch.setattr(dcc.embedded, "configure_environment", lambda: calls.append("started") or [])
    return calls


@pytest.mark.parametrize(
    ("argv", "unset", "started"),
    [
        (["manage.py", "migrate"], ["DATABASE_URL"], True),
        (["manage.py", "shell"], ["REDIS_URL"], True),
        (["manage.py", "migrate"], [], False),
        (["manage.py", "collectstatic", "--noinput"], ["DATABASE_URL", "REDIS_URL"], False),
        (["manage.py"], ["DATABASE_URL", "REDIS_URL"], False),
    ],
)
def test_manage_py_starts_the_servers_only_for_a_command_that_needs_them(argv, unset, started, starts, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://x@127.0.0.1:1/x")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    for name in unset:
        monkeypatch.delenv(name)

    dcc.embedded.configure_for_command(argv)

    assert bool(starts) is started


@pytest.mark.parametrize(
    ("namespace", "unset", "started"),
    [
        ({}, ["DATABASE_URL", "REDIS_URL"], True),
        ({}, ["REDIS_URL"], True),
        ({}, [], False),
        ({"help": True}, ["DATABASE_URL", "REDIS_URL"], False),
        ({"version": 1}, ["DATABASE_URL"], False),
    ],
)
def test_the_pytest_bootstrap_starts_the_servers_before_the_settings_are_read(
    namespace, unset, started, starts, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", "postgres://x@127.0.0.1:1/x")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    for name in unset:
        monkeypatch.delenv(name)
    config = SimpleNamespace(known_args_namespace=SimpleNamespace(**namespace))

    bootstrap.pytest_load_initial_conftests(config, None, [])

    assert bool(starts) is started


def test_the_bootstrap_runs_before_pytest_django_reads_the_settings(pytestconfig):
    plugin = pytestconfig.pluginmanager.get_plugin("tests.bootstrap")
    impls = pytestconfig.pluginmanager.hook.pytest_load_initial_conftests.get_hookimpls()
    order = [impl.plugin for impl in reversed(impls)]  # pluggy calls the last one first

    assert plugin is not None
    assert order.index(plugin) < order.index(pytestconfig.pluginmanager.get_plugin("django"))
