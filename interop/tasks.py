"""Celery adapters of the interop app (thin, idempotent, taking ids)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import DatabaseError, InterfaceError, OperationalError

# A version waits for its predecessor's document (``PreviousVersionPending``): every PREVIOUS_WAIT_SECONDS, up to
# PREVIOUS_WAIT_TRIES times (10 minutes), then it fails with a French reason and can be run again from the page.
PREVIOUS_WAIT_SECONDS = 10
PREVIOUS_WAIT_TRIES = 60


class QueueSafelyTask(DjangoTask):
    """A task whose ``queue_safely(*args)`` publishes without retrying and logs instead of raising when the broker
    is away (the caller recorded a pending row beforehand: see ``interop.queueing``). A ``DjangoTask``, so
    ``delay_on_commit`` stays available."""

    def queue_safely(self, *args) -> bool:
        try:
            self.apply_async(args=args, retry=False)
        except Exception as exc:  # kombu OperationalError, redis and socket errors…
            logging.getLogger("interop.queueing").warning(
                "Tâche %s%r non mise en file (%s) : elle reste en attente et sera relancée.",
                self.name,
                args,
                exc.__class__.__name__,
            )
            return False
        return True


@shared_task(
    base=QueueSafelyTask,
    bind=True,
    name="interop.generate_document",
    autoretry_for=(OperationalError, InterfaceError, DatabaseError, ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def generate_document(self, source_type: str, source_id: int | str, requested_by_id: int | None = None) -> int | None:
    """Build, validate and file the document of ``source_type``#``source_id``; returns the document id if stored."""
    from interop.filing import PreviousVersionPending, document_generate

    try:
        generation = document_generate(
            source_type=source_type,
            source_id=source_id,
            requested_by_id=requested_by_id,
            wait_for_previous=self.request.retries < PREVIOUS_WAIT_TRIES,
        )
    except PreviousVersionPending as pending:
        raise self.retry(exc=pending, countdown=PREVIOUS_WAIT_SECONDS, max_retries=PREVIOUS_WAIT_TRIES) from pending
    return generation.document_id


@shared_task(name="interop.requeue_pending_generations")
def requeue_pending_generations() -> int:
    """Beat: queue again the document generations recorded but never picked up (broker down at validation)."""
    from interop.queueing import requeue_pending

    return requeue_pending()
