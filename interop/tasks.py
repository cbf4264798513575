"""Celery adapters of the interop app (thin, idempotent, taking ids)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

# A version waits for its predecessor's document (``PreviousVersionPending``): every PREVIOUS_WAIT_SECONDS, up to
# PREVIOUS_WAIT_TRIES times (10 minutes), then it fails with a French reason and can be run again from the page.
PREVIOUS_WAIT_SECONDS = 10
PREVIOUS_WAIT_TRIES = 60


@shared_task(
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
