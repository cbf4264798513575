"""Celery adapters of the interop app (thin, idempotent, taking ids)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError


@shared_task(
    name="interop.generate_document",
    autoretry_for=(OperationalError, InterfaceError, DatabaseError, ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def generate_document(source_type: str, source_id: int | str, requested_by_id: int | None = None) -> int | None:
    """Build, validate and file the document of ``source_type``#``source_id``; returns the document id if stored."""
    from interop.filing import document_generate

    generation = document_generate(source_type=source_type, source_id=source_id, requested_by_id=requested_by_id)
    return generation.document_id
