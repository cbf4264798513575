"""Who receives a stored document: the recipient rules (data) applied to the parties of its source.

The parties of a source (GP, requesting doctor, doctors present, référent…) come from the module registered
for its source type in ``settings.DCC_DOCUMENT_PARTIES`` (``rcp.diffusion``, ``pps.diffusion``): interop never
imports the apps above it. ``dispatch_stored_document`` runs inside the transaction that stores the document
(``dcc.records.documents.on_document_stored``), so the outbox rows commit with it.
"""

from __future__ import annotations

import importlib
import logging

from django.conf import settings

from interop.mss.models import RecipientRule
from interop.outbox.enums import Channel
from interop.outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)


def parties(source_type: str, source_id) -> dict[str, list]:
    path = getattr(settings, "DCC_DOCUMENT_PARTIES", {}).get(source_type)
    if not path:
        return {}
    return importlib.import_module(path).parties(source_type, source_id)


def recipients_for(document) -> list:
    """The directory professionals the active rules name for this document (each once, in rule order)."""
    roles = list(
        RecipientRule.objects.filter(source_type=document.source_type, is_active=True).values_list("role", flat=True)
    )
    if not roles or not document.source_id:
        return []
    found = parties(document.source_type, document.source_id)
    chosen, seen = [], set()
    for role in roles:
        for professional in found.get(role, []):
            if professional is not None and professional.pk not in seen:
                seen.add(professional.pk)
                chosen.append(professional)
    return chosen


def send_to_professional(*, document, professional, by=None, manual: bool = False):
    key = None if manual else f"mss:doc:{document.pk}:pro:{professional.pk}"
    return outbox_enqueue(
        channel=Channel.MSS,
        kind="document",
        recipient_address=professional.mss_address,
        recipient_label=professional.display_name,
        professional=professional,
        patient=document.patient,
        document=document,
        source_type=document.source_type,
        source_id=document.source_id,
        dedupe_key=key,
        by=by,
    )


def dispatch_stored_document(document) -> list:
    """Enqueue one MSSanté send per recipient of a newly stored document (idempotent by dedupe key)."""
    return [send_to_professional(document=document, professional=p) for p in recipients_for(document)]
