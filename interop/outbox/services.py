"""Writes of the outbox: enqueue (in the cause's transaction), state changes, receipts, resend, cancel.

The delivery attempts (claim, channel call, retry) and the task that runs them are ``interop.outbox.delivery``;
the state machine's writes shared by both, ``interop.outbox.transitions``.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from interop.outbox import channels
from interop.outbox.delivery import outbox_deliver
from interop.outbox.enums import IN_FLIGHT, PROGRESS, TRANSITIONS, Channel, OutboxState
from interop.outbox.errors import OutboxError
from interop.outbox.models import OutboxMessage, OutboxTransition
from interop.outbox.transitions import locked as _locked
from interop.outbox.transitions import move as _move
from interop.outbox.transitions import sync as _sync

logger = logging.getLogger(__name__)

NO_ADDRESS = {
    Channel.MSS: "Pas d'adresse MSSanté pour ce destinataire.",
    Channel.HL7: "Pas de partenaire HL7 pour ce destinataire.",
}
CODE_REFUSED = "refus"
CODE_NO_ADDRESS = "sans_adresse"


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
