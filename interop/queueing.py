"""Document generations recorded with their cause, queued on commit, re-queued when nobody picked them up.

``generation_queue`` is called inside the transaction of the event (validation of a fiche, PPS, PPAC): it records
the pending ``DocumentGeneration`` row in that transaction, then queues the task once it commits. If the broker is
unreachable at that moment, the request still succeeds (the row stays « En attente », one warning is logged) and
the beat task ``interop.requeue_pending_generations`` queues it again later; the generation itself is idempotent
(row locked, a stored document is never produced twice).

The tasks live here, beside the functions that queue them, so that queueing and task never import each other;
``interop.tasks`` names them for Celery's discovery.
"""

from __future__ import annotations

import datetime
import functools
import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from dcc.records.documents_services import generation_request
from dcc.records.enums import GenerationStatus
from dcc.records.models import DocumentGeneration
from interop.filing import PreviousVersionPending, document_generate

logger = logging.getLogger(__name__)

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
    return requeue_pending()


def queue_now(source_type: str, source_id, requested_by_id: int | None = None) -> bool:
    """Publish the generation task; False (and a warning) when the broker cannot take it now."""
    return generate_document.queue_safely(source_type, source_id, requested_by_id)


def queue_on_commit(source_type: str, source_id, requested_by_id: int | None = None) -> None:
    transaction.on_commit(functools.partial(generate_document.queue_safely, source_type, source_id, requested_by_id))


def generation_queue(*, source_type: str, source_id, patient, by=None) -> DocumentGeneration:
    """Record the pending generation in the caller's transaction; queue its task when the transaction commits."""
    generation, should_queue = generation_request(
        source_type=source_type, source_id=source_id, patient=patient, requested_by=by
    )
    if should_queue:
        queue_on_commit(source_type, source_id, getattr(by, "pk", None))
    return generation


def generation_relaunch(*, source_type: str, source_id, patient, by) -> bool:
    """Queue again (on commit) a failed generation or one stuck « En attente »; False when there is nothing to
    relaunch (running, ready, or pending for less than ``DCC_GENERATION_REQUEUE_SECONDS``): relaunching twice
    queues once. The caller checks the right and writes the trail."""
    _, should_queue = generation_request(
        source_type=source_type, source_id=source_id, patient=patient, requested_by=by, relaunch=True
    )
    if should_queue:
        queue_on_commit(source_type, source_id, getattr(by, "pk", None))
    return should_queue


def requeue_pending(*, older_than_seconds: int | None = None) -> int:
    """Queue again every generation still pending after ``older_than_seconds`` (nobody picked it up)."""
    delay = older_than_seconds if older_than_seconds is not None else settings.DCC_GENERATION_REQUEUE_SECONDS
    limit = timezone.now() - datetime.timedelta(seconds=delay)
    stale = list(
        DocumentGeneration.objects.filter(status=GenerationStatus.PENDING, updated_at__lte=limit).values_list(
            "pk", "source_type", "source_id", "requested_by_id"
        )[:500]
    )
    queued = 0
    for pk, source_type, source_id, requested_by_id in stale:
        if not queue_now(source_type, source_id, requested_by_id):
            break  # the broker is still away: the next run tries again
        # Touch the row so the next run does not queue it again before the worker had its chance.
        DocumentGeneration.objects.filter(pk=pk, status=GenerationStatus.PENDING).update(updated_at=timezone.now())
        queued += 1
    return queued


def document_generate_or_queue(*, source_type: str, source_id) -> DocumentGeneration:
    """Produce the document now (seeding, scripts) or, when the previous version's document is still on its way,
    leave the generation pending and queue its task, which waits for it."""
    try:
        return document_generate(source_type=source_type, source_id=source_id)
    except PreviousVersionPending:
        transaction.on_commit(lambda: generate_document.delay(source_type, source_id))
        return DocumentGeneration.objects.get(source_type=source_type, source_id=str(source_id))
