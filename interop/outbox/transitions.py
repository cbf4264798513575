"""The outbox's state machine writes, shared by the services and the delivery: move a locked row (checked against
``TRANSITIONS``, timestamps set, one ``OutboxTransition`` logged), lock a row, copy it back onto a caller's object."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from interop.outbox.enums import GONE, TRANSITIONS, OutboxState
from interop.outbox.errors import OutboxError
from interop.outbox.models import OutboxMessage, OutboxTransition


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


def move(message: OutboxMessage, to_state: str, *, code: str = "", detail: str = "", by=None, **fields) -> None:
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


def locked(message_or_pk) -> OutboxMessage:
    pk = getattr(message_or_pk, "pk", message_or_pk)
    return OutboxMessage.objects.select_for_update().get(pk=pk)


def sync(target: OutboxMessage, source: OutboxMessage) -> OutboxMessage:
    """Copy the locked row's fields onto the caller's instance (callers keep their object)."""
    if target is not source:
        for field in OutboxMessage._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return target
