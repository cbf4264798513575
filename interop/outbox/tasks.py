"""Celery adapters of the outbox (thin, idempotent, taking ids). ``outbox_deliver`` is defined with the attempt it
runs (``interop.outbox.delivery``) and re-exported here for Celery's discovery."""

from __future__ import annotations

from celery import shared_task

from interop.outbox.delivery import outbox_deliver
from interop.outbox.delivery import outbox_requeue as due_rows

__all__ = ["outbox_deliver", "outbox_requeue"]


@shared_task(name="outbox.requeue")
def outbox_requeue() -> int:
    """Beat: queue again the rows due and never picked up; returns how many."""
    pks = due_rows()
    for pk in pks:
        outbox_deliver.delay(pk)
    return len(pks)
