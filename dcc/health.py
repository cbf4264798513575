"""``GET /healthz``: the state of PostgreSQL, Redis and the Celery worker (200 or 503).

``celery`` pings the workers through the broker; ``worker_heartbeat`` says whether one took beat's heartbeat task
from the documents queue lately (the same signal the pages waiting for a document read)."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dcc.celery import app as celery_app
from dcc.worker_status import heartbeat_age


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"PostgreSQL injoignable : {exc.__class__.__name__}"
    return None


def check_redis() -> str | None:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
        client.ping()
    except Exception as exc:
        return f"Redis injoignable : {exc.__class__.__name__}"
    return None


def check_worker() -> str | None:
    try:
        # limit=1: answer as soon as one worker replied rather than waiting the whole timeout.
        replies = celery_app.control.broadcast("ping", reply=True, limit=1, timeout=1.0)
    except Exception as exc:
        return f"worker Celery injoignable : {exc.__class__.__name__}"
    if not replies:
        return "aucun worker Celery ne répond"
    return None


def check_worker_heartbeat() -> str | None:
    """The heartbeat the worker writes when it takes beat's task from the documents queue (dcc/worker_status.py)."""
    age = heartbeat_age()
    if age is None:
        return "aucun battement du worker enregistré (worker ou beat arrêté ?)"
    if age > settings.DCC_WORKER_HEARTBEAT_STALE_SECONDS:
        return f"dernier battement du worker il y a {round(age)} s : la production des documents ne répond pas"
    return None


@never_cache
@require_GET
def healthz(request):
    started = time.monotonic()
    checks = {"postgresql": check_database(), "redis": check_redis()}
    # The worker is reached through Redis: without Redis it cannot answer.
    checks["celery"] = check_worker() if checks["redis"] is None else "injoignable sans Redis"
    checks["worker_heartbeat"] = check_worker_heartbeat()
    components = {name: ("ok" if error is None else error) for name, error in checks.items()}
    healthy = all(error is None for error in checks.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "components": components,
        "duration_ms": round((time.monotonic() - started) * 1000),
    }
    return JsonResponse(body, status=200 if healthy else 503)
