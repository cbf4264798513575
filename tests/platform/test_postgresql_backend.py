"""The database backend (``dcc/postgresql/base.py``): the per-request ``SELECT 1`` of ``CONN_HEALTH_CHECKS`` is
skipped for a connection that served a request without error less than ``CHECK_AFTER_IDLE`` ago, and kept
otherwise."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections

from dcc.postgresql import base

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def connection(monkeypatch):
    """The default connection (outside any transaction here), its health checks counted, and a clock to move."""
    conn = connections["default"]
    conn.ensure_connection()
    checks = []
    monkeypatch.setattr(conn, "is_usable", lambda: checks.append(1) or True)
    monkeypatch.setattr(conn, "served_at", 0.0)
    clock = {"now": 1_000.0}
    monkeypatch.setattr(base, "_now", lambda: clock["now"])
    return conn, checks, clock


def _request(conn, *, error: bool = False) -> None:
    """What Django does around a request that queries: its checks at the start, the first query, and the end."""
    conn.close_if_unusable_or_obsolete()
    conn.close_if_health_check_failed()
    conn.errors_occurred = error
    conn.close_if_unusable_or_obsolete()


def test_the_project_uses_this_backend():
    assert settings.DATABASES["default"]["ENGINE"] == "dcc.postgresql"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]


def test_a_busy_connection_is_not_checked_an_idle_or_failed_one_is(connection):
    conn, checks, clock = connection
    _request(conn)
    assert len(checks) == 0  # opened for this request: known good

    clock["now"] += base.CHECK_AFTER_IDLE + 0.1
    _request(conn)
    assert len(checks) == 1  # idle over a second: checked

    clock["now"] += 0.2
    _request(conn)
    assert len(checks) == 1  # served 0.2 s ago: used directly

    clock["now"] += 0.1
    _request(conn, error=True)  # ends with an error: Django checks it at the end (is_usable)
    assert len(checks) == 2
    conn.errors_occurred = True  # an error not yet cleared
    conn.health_check_done = False
    clock["now"] += 0.1
    conn.close_if_health_check_failed()
    assert len(checks) == 3


def test_a_connection_keeps_every_statement_the_pages_prepare(settings):
    """psycopg's default (100) is fewer than the ~115 statements of the mixed workload: they were evicted in turn."""
    settings.DCC_DB_PREPARED_MAX = 321
    conn = connections["default"]
    conn.close()
    conn.ensure_connection()
    try:
        assert conn.connection.prepared_max == 321
        assert conn.connection.prepare_threshold == settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    finally:
        conn.close()


def test_the_default_room_exceeds_what_the_pages_prepare():
    from django.conf import settings as project

    assert project.DCC_DB_PREPARED_MAX >= 300
