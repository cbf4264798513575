"""Reads of the « Diffusion » block."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from interop.outbox.enums import FINAL
from interop.outbox.models import OutboxMessage
from interop.outbox.selectors import transitions_with_authors

POLL_WINDOW = dt.timedelta(minutes=10)


def diffusion_rows(document) -> list:
    """The document's sends with their history: what the block shows, nothing it does not (no joins)."""
    rows = list(
        OutboxMessage.objects.filter(document=document)
        .prefetch_related(Prefetch("transitions", queryset=transitions_with_authors()))
        .order_by("created_at", "pk")
    )
    for row in rows:
        row.document = document
    return rows


def diffusion_context(*, user, document, form=None, error: str = "") -> dict:
    from interop.mss.forms import AddRecipientForm
    from interop.mss.perms import can_send_document

    rows = diffusion_rows(document)
    recent = timezone.now() - POLL_WINDOW
    return {
        "document": document,
        "rows": rows,
        "can_send": can_send_document(user, document),
        "patient_mailbox_possible": document.patient.ins_exchangeable,
        "add_form": form or AddRecipientForm(),
        "diffusion_error": error,
        "polling": any(row.state not in FINAL and row.created_at > recent for row in rows),
    }
