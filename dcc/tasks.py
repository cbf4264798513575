"""Platform tasks: liveness of the worker and housekeeping."""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command


@shared_task(name="dcc.tasks.ping")
def ping(payload: str = "pong") -> str:
    """Round-trip check: the worker answers with what it was sent."""
    return payload


@shared_task(name="dcc.tasks.heartbeat")
def heartbeat() -> float:
    now = time.time()
    cache.set(settings.DCC_WORKER_HEARTBEAT_KEY, now, timeout=300)
    return now


@shared_task(name="dcc.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    call_command("clearsessions")
