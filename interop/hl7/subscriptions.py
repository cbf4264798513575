"""Recipient rules of the HL7 channel: which partner receives which stored document (data, not code).

A partner ``receives_documents`` for its establishment: every FRCP, PPS and PPAC the DCC produces for a
patient of that establishment (an IPP there, or the establishment among the patient's treating ones) is
queued in the outbox as one MDM per partner (a new version as T10). Subscribed to the record's
``on_document_stored`` hook (the one the MSSanté recipient rules use): the outbox rows are written in the
transaction that stores the document, so they commit with it; the dedupe key makes a second call a no-op.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q

from dcc.records.enums import CareRelationshipKind, DocumentOrigin
from interop.hl7.models import Partner

logger = logging.getLogger(__name__)

SENT_SOURCES = frozenset({"rcp.ficheversion", "pps.pps", "pps.ppac"})


def partners_for_document(document) -> list[Partner]:
    if document.origin != DocumentOrigin.PRODUCED or document.source_type not in SENT_SOURCES:
        return []
    patient_id = document.patient_id
    return list(
        Partner.objects.filter(receives_documents=True, is_active=True)
        .filter(Q(establishment__in=_establishments_of(patient_id)))
        .select_related("establishment")
        .order_by("pk")
    )


def _establishments_of(patient_id: int):
    from dcc.directory.models import Establishment

    return Establishment.objects.filter(
        Q(pk__in=_ipp_establishments(patient_id))
        | Q(
            pk__in=_care_establishments(patient_id),
        )
    ).values("pk")


def _ipp_establishments(patient_id: int):
    from identity.models import LocalIdentifier

    return LocalIdentifier.objects.filter(patient_id=patient_id).values("establishment_id")


def _care_establishments(patient_id: int):
    from dcc.records.models import CareRelationship

    return CareRelationship.objects.filter(
        patient_id=patient_id, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment__isnull=False
    ).values("establishment_id")


def enqueue_for_document(document) -> list:
    """Queue one MDM per subscribed partner (idempotent); returns the outbox rows."""
    from interop.outbox.services import outbox_enqueue

    rows = []
    with transaction.atomic():  # the caller's transaction (the document's), or its own when called alone
        for partner in partners_for_document(document):
            rows.append(
                outbox_enqueue(
                    channel="hl7",
                    kind="mdm",
                    recipient_address=partner.key,
                    recipient_label=f"{partner.establishment.name} ({partner.application})",
                    patient=document.patient,
                    document=document,
                    establishment=partner.establishment,
                    source_type=document.source_type,
                    source_id=document.source_id,
                    dedupe_key=f"hl7:mdm:{document.pk}:{partner.pk}",
                )
            )
    return rows
