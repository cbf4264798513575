"""Writes of the outbox: enqueue (in the cause's transaction), state changes, receipts, resend, delivery."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from interop.outbox import channels
from interop.outbox.enums import GONE, IN_FLIGHT, PROGRESS, TRANSITIONS, Channel, OutboxState
from interop.outbox.errors import OutboxError, PermanentFailure, TransientFailure
from interop.outbox.models import OutboxMessage, OutboxTransition

logger = logging.getLogger(__name__)

NO_ADDRESS = {
    Channel.MSS: "Pas d'adresse MSSanté pour ce destinataire.",
    Channel.HL7: "Pas de partenaire HL7 pour ce destinataire.",
}
CODE_REFUSED = "refus"
CODE_NO_ADDRESS = "sans_adresse"


def _timestamps(message: OutboxMessage, to_state: str, now: dt.datetime) -> list[str]:
    fields = []
    if to_state in GONE and message.sent_at is None:
        message.sent_at = now
        fields.append("sent_at")
    if to_state in (OutboxState.DELIVERED, OutboxState.READ) and message.delivered_at is None:
        message.delivered_at = now
        fields.append("delivered_at")
    if to_state == OutboxState.READ and message.read_at is None:
        message.read_at = now
        fields.append("read_at")
    return fields


def _move(message: OutboxMessage, to_state: str, *, code: str = "", detail: str = "", by=None, **fields) -> None:
    """Change the state of a locked row, check the move, log it."""
    from_state = message.state
    if to_state not in TRANSITIONS[from_state]:
        raise OutboxError(
            f"Passage impossible de « {OutboxState(from_state).label} » à « {OutboxState(to_state).label} »."
        )
    now = timezone.now()
    message.state = to_state
    message.last_code = str(code)[:32]
    message.last_detail = detail[:500]
    for name, value in fields.items():
        setattr(message, name, value)
    update = ["state", "last_code", "last_detail", *fields, *_timestamps(message, to_state, now)]
    message.save(update_fields=update)
    OutboxTransition.objects.create(
        message=message,
        from_state=from_state,
        to_state=to_state,
        at=now,
        code=message.last_code,
        detail=message.last_detail,
        by=by,
    )


def _locked(message_or_pk) -> OutboxMessage:
    pk = getattr(message_or_pk, "pk", message_or_pk)
    return OutboxMessage.objects.select_for_update().get(pk=pk)


def _sync(target: OutboxMessage, source: OutboxMessage) -> OutboxMessage:
    """Copy the locked row's fields onto the caller's instance (callers keep their object)."""
    if target is not source:
        for field in OutboxMessage._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return target


def outbox_enqueue(
    *,
    channel: str,
    kind: str,
    recipient_address: str,
    recipient_label: str = "",
    payload: dict | None = None,
    patient=None,
    document=None,
    professional=None,
    establishment=None,
    source_type: str = "",
    source_id: str = "",
    dedupe_key: str | None = None,
    by=None,
    resent_from: OutboxMessage | None = None,
) -> OutboxMessage:
    """Record one send, in the caller's transaction; the delivery task is queued when it commits.

    A known ``dedupe_key`` returns the existing row. A recipient that cannot be reached (no address, content
    the channel refuses) becomes a row in *échec définitif* with the French reason, never an exception.
    """
    if dedupe_key:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    message = OutboxMessage(
        channel=channel,
        kind=kind,
        state=OutboxState.PENDING,
        recipient_address=(recipient_address or "").strip(),
        recipient_label=(recipient_label or "")[:255],
        payload=payload or {},
        patient=patient,
        document=document,
        professional=professional,
        establishment=establishment,
        source_type=source_type,
        source_id=str(source_id) if source_id not in (None, "") else "",
        dedupe_key=dedupe_key or None,
        created_at=now,
        next_attempt_at=now,
        created_by=by,
        resent_from=resent_from,
    )
    code = refusal = ""
    if not message.recipient_address:
        code, refusal = CODE_NO_ADDRESS, NO_ADDRESS.get(channel, "Pas d'adresse de destination.")
    else:
        try:
            refusal = channels.precheck(message)
        except channels.UnknownChannel as unknown:
            refusal = str(unknown)
        code = CODE_REFUSED if refusal else ""
    message.message_id = channels.new_message_id(message)
    if refusal:
        message.state, message.last_code, message.last_detail = OutboxState.FAILED, code, refusal[:500]
        message.next_attempt_at = None
    try:
        with transaction.atomic():  # savepoint: a concurrent enqueue of the same dedupe_key wins cleanly
            message.save()
    except IntegrityError:
        if dedupe_key:
            return OutboxMessage.objects.get(dedupe_key=dedupe_key)
        raise
    OutboxTransition.objects.create(
        message=message,
        from_state="",
        to_state=message.state,
        at=now,
        code=message.last_code,
        detail=message.last_detail or ("Renvoi" if resent_from else "Mis en file d'envoi"),
        by=by,
    )
    if message.state == OutboxState.PENDING:
        from interop.outbox.tasks import outbox_deliver

        outbox_deliver.delay_on_commit(message.pk)
    return message


@transaction.atomic
def outbox_transition(*, message: OutboxMessage, to_state: str, code: str = "", detail: str = "", by=None):
    """Move a message to ``to_state`` (checked against the state machine), logged with code and French detail."""
    locked = _locked(message)
    _move(locked, to_state, code=code, detail=detail, by=by)
    return _sync(message, locked)


@transaction.atomic
def outbox_apply_receipt(*, message: OutboxMessage, state: str, code: str = "", detail: str = "") -> OutboxMessage:
    """Apply a receipt (DSN, MDN, HL7 ACK). Late receipts never move a message backwards.

    ``state`` equal to the current state records the code and detail (a DSN *delayed*, a second MDN) in the log.
    """
    locked = _locked(message)
    current = locked.state
    if state == current:
        locked.last_code, locked.last_detail = str(code)[:32], detail[:500]
        locked.save(update_fields=["last_code", "last_detail"])
        OutboxTransition.objects.create(
            message=locked, from_state=current, to_state=current, code=locked.last_code, detail=locked.last_detail
        )
    elif state == OutboxState.FAILED:
        if OutboxState.FAILED in TRANSITIONS[current] and current != OutboxState.PENDING:
            _move(locked, state, code=code, detail=detail)
    elif state in PROGRESS and PROGRESS[state] > PROGRESS.get(current, 99) and state in TRANSITIONS[current]:
        _move(locked, state, code=code, detail=detail)
    else:
        logger.info("Accusé ignoré pour le message %s : %s → %s", locked.pk, current, state)
    return _sync(message, locked)


@transaction.atomic
def outbox_resend(*, message: OutboxMessage, by) -> OutboxMessage:
    """A new row for the same content and recipient (the original keeps its history)."""
    original = _locked(message)
    if original.state in IN_FLIGHT:
        raise OutboxError("Cet envoi est encore en cours : attendez son résultat avant de le renvoyer.")
    return outbox_enqueue(
        channel=original.channel,
        kind=original.kind,
        recipient_address=original.recipient_address,
        recipient_label=original.recipient_label,
        payload=original.payload,
        patient=original.patient,
        document=original.document,
        professional=original.professional,
        establishment=original.establishment,
        source_type=original.source_type,
        source_id=original.source_id,
        by=by,
        resent_from=original,
    )


@transaction.atomic
def outbox_cancel(*, message: OutboxMessage, by, detail: str = "Envoi annulé") -> OutboxMessage:
    locked = _locked(message)
    if locked.state not in (OutboxState.PENDING, OutboxState.RETRYING):
        raise OutboxError("Seul un envoi en attente peut être annulé.")
    _move(locked, OutboxState.CANCELLED, detail=detail, by=by, next_attempt_at=None)
    return _sync(message, locked)


# --- delivery (called by the task) -------------------------------------------------------------


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
        _move(
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
        message = _locked(message_pk)
        if message.state != OutboxState.SENDING:
            # A receipt overtook us (DSN read before this commit) or the row was handled elsewhere.
            if delivery is not None and message.sent_at is None and message.state in GONE:
                message.sent_at = timezone.now()
                message.save(update_fields=["sent_at"])
            return message
        if delivery is not None:
            _move(message, delivery.state, code=delivery.code, detail=delivery.detail)
        elif permanent:
            _move(message, OutboxState.FAILED, code=failure.code, detail=failure.detail)
        elif message.attempts >= settings.DCC_OUTBOX_MAX_ATTEMPTS:
            detail = f"{failure.detail} — abandon après {message.attempts} tentatives."
            _move(message, OutboxState.FAILED, code=failure.code, detail=detail)
        else:
            delay = retry_delay(message.attempts)
            _move(
                message,
                OutboxState.RETRYING,
                code=failure.code,
                detail=failure.detail,
                next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
            )
            from interop.outbox.tasks import outbox_deliver

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
    from django.db.models import F, Q

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
