"""Delivery of the outbox: one attempt of a due row (claim committed first, channel called, outcome or retry
recorded), the beat's requeue of the rows never picked up, and the Celery task that runs an attempt.

The task lives here, with the attempt it runs and the retry that queues it again; ``interop.outbox.tasks``
re-exports it for Celery's discovery and holds the beat task. The services queue it on commit.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from interop.outbox import channels
from interop.outbox.enums import GONE, OutboxState
from interop.outbox.errors import PermanentFailure, TransientFailure
from interop.outbox.models import OutboxMessage
from interop.outbox.transitions import locked, move

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> int:
    delays = settings.DCC_OUTBOX_RETRY_DELAYS
    return int(delays[min(max(attempts, 1), len(delays)) - 1])


def _claim(message_pk: int) -> tuple[OutboxMessage | None, bool]:
    """Lock the row and take it for one attempt; returns ``(message, recovering)`` or ``(None, False)``."""
    now = timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_pk).first()
        if message is None:
            return None, False
        if message.state in (OutboxState.PENDING, OutboxState.RETRYING):
            if message.next_attempt_at and message.next_attempt_at > now + dt.timedelta(seconds=1):
                return None, False  # not due: an earlier duplicate of the task, the scheduled one will come
            recovering = message.attempts > 0
            detail = f"Tentative {message.attempts + 1}"
        elif message.state == OutboxState.SENDING:
            lease = dt.timedelta(seconds=settings.DCC_OUTBOX_SENDING_LEASE_SECONDS)
            if message.last_attempt_at and message.last_attempt_at > now - lease:
                return None, False  # another worker is sending it right now
            recovering = True
            detail = f"Reprise après interruption (tentative {message.attempts + 1})"
        else:
            return None, False  # already sent, failed or cancelled: nothing to do (idempotent)
        move(
            message,
            OutboxState.SENDING,
            detail=detail,
            attempts=message.attempts + 1,
            last_attempt_at=now,
            next_attempt_at=None,
        )
        return message, recovering


def _finish(message_pk: int, *, delivery=None, failure=None, permanent: bool = False) -> OutboxMessage:
    with transaction.atomic():
        message = locked(message_pk)
        if message.state != OutboxState.SENDING:
            # A receipt overtook us (DSN read before this commit) or the row was handled elsewhere.
            if delivery is not None and message.sent_at is None and message.state in GONE:
                message.sent_at = timezone.now()
                message.save(update_fields=["sent_at"])
            return message
        if delivery is not None:
            move(message, delivery.state, code=delivery.code, detail=delivery.detail)
        elif permanent:
            move(message, OutboxState.FAILED, code=failure.code, detail=failure.detail)
        elif message.attempts >= settings.DCC_OUTBOX_MAX_ATTEMPTS:
            detail = f"{failure.detail} — abandon après {message.attempts} tentatives."
            move(message, OutboxState.FAILED, code=failure.code, detail=detail)
        else:
            delay = retry_delay(message.attempts)
            move(
                message,
                OutboxState.RETRYING,
                code=failure.code,
                detail=failure.detail,
                next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
            )
            pk = message.pk
            transaction.on_commit(lambda: outbox_deliver.apply_async((pk,), countdown=delay))
        return message


def outbox_process(*, message_pk: int) -> OutboxMessage | None:
    """One delivery attempt of a due message (idempotent: a second run finds it taken, sent or not due).

    The claim (state *envoi en cours*, attempt counted) commits before the channel is called, so a crash
    mid-send leaves a row the requeue task hands back after the lease, and the channel's ``confirm`` then
    checks whether that attempt got through before sending again.
    """
    message, recovering = _claim(message_pk)
    if message is None:
        return None
    try:
        module = channels.channel_module(message.channel)
        delivery = None
        confirm = getattr(module, "confirm", None)
        if recovering and confirm is not None:
            delivery = confirm(message)
        if delivery is None:
            delivery = module.deliver(message)
    except PermanentFailure as failure:
        return _finish(message.pk, failure=failure, permanent=True)
    except channels.UnknownChannel as unknown:
        return _finish(message.pk, failure=PermanentFailure("canal", str(unknown)), permanent=True)
    except TransientFailure as failure:
        return _finish(message.pk, failure=failure)
    except Exception as error:  # a bug or an unexpected library error: retried, then abandoned, never lost
        logger.exception("Envoi %s : erreur inattendue", message.pk)
        failure = TransientFailure("erreur", f"Erreur inattendue : {type(error).__name__}")
        return _finish(message.pk, failure=failure)
    return _finish(message.pk, delivery=delivery)


def outbox_requeue(*, limit: int = 500) -> list[int]:
    """Ids of rows due and never picked up (lost task, worker crash past the lease); the task re-queues them.

    A row is marked when it is re-queued and not taken again until a worker has tried it since, or
    ``DCC_OUTBOX_REQUEUE_AGAIN_SECONDS`` have passed (the broker lost the task): while the workers are down the
    queue holds one task per row, not one per row and per minute.
    """
    now = timezone.now()
    grace = now - dt.timedelta(seconds=settings.DCC_OUTBOX_REQUEUE_GRACE_SECONDS)
    lease = now - dt.timedelta(seconds=settings.DCC_OUTBOX_SENDING_LEASE_SECONDS)
    again = now - dt.timedelta(seconds=settings.DCC_OUTBOX_REQUEUE_AGAIN_SECONDS)
    due = OutboxMessage.objects.filter(
        Q(state__in=[OutboxState.PENDING, OutboxState.RETRYING], next_attempt_at__lte=grace)
        | Q(state=OutboxState.SENDING, last_attempt_at__lte=lease)
    ).filter(Q(requeued_at__isnull=True) | Q(requeued_at__lt=F("last_attempt_at")) | Q(requeued_at__lte=again))
    with transaction.atomic():
        pks = list(
            due.order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        OutboxMessage.objects.filter(pk__in=pks).update(requeued_at=now)
    return pks


@shared_task(
    name="outbox.deliver",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def outbox_deliver(message_pk: int) -> str | None:
    """One delivery attempt of an outbox row (row locked; a second run is a no-op); returns the state reached."""
    message = outbox_process(message_pk=message_pk)
    return message.state if message is not None else None
