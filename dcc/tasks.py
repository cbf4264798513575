"""Platform tasks: liveness of the worker and housekeeping."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(name="dcc.tasks.ping")
def ping(payload: str = "pong") -> str:
    """Round-trip check: the worker answers with what it was sent."""
    return payload


@shared_task(name="dcc.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    call_command("clearsessions")
