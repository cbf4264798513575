"""Documents and rows of the MSSanté tests."""

from __future__ import annotations

from interop.outbox.services import outbox_enqueue
from tests.records.documents_helpers import store_frcp


def document_for(patient):
    return store_frcp(patient, title="Fiche RCP sein")


def enqueue_document(document, address: str, label: str = "Dr TEST", **extra):
    return outbox_enqueue(
        channel="mss", kind="document", recipient_address=address, recipient_label=label, patient=document.patient,
        document=document, source_type="test", source_id="1", **extra,
    )  # fmt: skip


def enqueue_notice(address: str, **extra):
    return outbox_enqueue(
        channel="mss", kind="gp_notice", recipient_address=address, recipient_label="Dr NOTIF",
        payload={"subject": "Votre patient passe en RCP", "body": "Bonjour,\nVotre patient passe en RCP le 12/12."},
        **extra,
    )  # fmt: skip
