"""Platform tasks: liveness of the worker and housekeeping."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from dcc.worker_status import heartbeat_write


@shared_task(name="dcc.tasks.ping")
def ping(payload: str = "pong") -> str:
    """Round-trip check: the worker answers with what it was sent."""
    return payload


@shared_task(name="dcc.tasks.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Beat, on the documents queue: the worker that takes it says it is there (``dcc.worker_status``)."""
    heartbeat_write()


@shared_task(name="dcc.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    call_command("clearsessions")
