"""The test run's servers: a pytest plugin, loaded by ``-p tests.bootstrap`` in pyproject's ``addopts``.

With no DATABASE_URL / REDIS_URL (``make test`` on a fresh clone, CI), it starts or reuses the embedded PostgreSQL
and Redis under ``.data/`` and fills both variables, before pytest-django reads the settings (which start nothing
themselves). Subprocesses started by the tests (Celery workers, the demo seed, gunicorn) inherit the variables.
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    namespace = early_config.known_args_namespace
    if getattr(namespace, "help", False) or getattr(namespace, "version", False):
        return
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return
    from dcc.embedded import EmbeddedServiceError, configure_environment

    try:
        configure_environment()
    except EmbeddedServiceError as exc:
        raise pytest.UsageError(str(exc)) from exc
