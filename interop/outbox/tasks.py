"""Celery adapters of the outbox (thin, idempotent, taking ids)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="outbox.deliver",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def outbox_deliver(message_pk: int) -> str | None:
    """One delivery attempt of an outbox row (row locked; a second run is a no-op); returns the state reached."""
    from interop.outbox.services import outbox_process

    message = outbox_process(message_pk=message_pk)
    return message.state if message is not None else None


@shared_task(name="outbox.requeue")
def outbox_requeue() -> int:
    """Beat: queue again the rows due and never picked up; returns how many."""
    from interop.outbox.services import outbox_requeue as due_rows

    pks = due_rows()
    for pk in pks:
        outbox_deliver.delay(pk)
    return len(pks)
