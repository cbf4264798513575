"""Document generations recorded with their cause, queued on commit, re-queued when nobody picked them up.

``generation_queue`` is called inside the transaction of the event (validation of a fiche, PPS, PPAC): it records
the pending ``DocumentGeneration`` row in that transaction, then queues the task once it commits. If the broker is
unreachable at that moment, the request still succeeds (the row stays « En attente », one warning is logged) and
the beat task ``interop.requeue_pending_generations`` queues it again later; the generation itself is idempotent
(row locked, a stored document is never produced twice).
"""

from __future__ import annotations

import datetime
import functools
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dcc.records.documents_services import generation_request
from dcc.records.enums import GenerationStatus
from dcc.records.models import DocumentGeneration

logger = logging.getLogger(__name__)


def queue_now(source_type: str, source_id, requested_by_id: int | None = None) -> bool:
    """Publish the generation task; False (and a warning) when the broker cannot take it now."""
    from interop.tasks import generate_document

    return generate_document.queue_safely(source_type, source_id, requested_by_id)


def queue_on_commit(source_type: str, source_id, requested_by_id: int | None = None) -> None:
    from interop.tasks import generate_document

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
