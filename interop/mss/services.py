"""Writes of the « Diffusion » block: add a recipient from the directory, send to the patient's mailbox."""

from __future__ import annotations

from django.db import transaction

from interop.mss.conf import mss_settings
from interop.mss.rules import send_to_professional
from interop.outbox.enums import Channel
from interop.outbox.errors import OutboxError
from interop.outbox.services import outbox_enqueue


@transaction.atomic
def diffusion_add_recipient(*, document, professional, by):
    """A manual send of ``document`` to a directory professional (no address → a failed row, with the reason)."""
    return send_to_professional(document=document, professional=professional, by=by, manual=True)


@transaction.atomic
def diffusion_send_to_patient(*, document, by):
    """Send to the patient's Mon espace santé mailbox (``<matricule INS>@patient.mssante.fr``, ``X-MSS-MES: FIN``).

    Only for a qualified identity (``Patient.ins_exchangeable``), and only when the author chooses it.
    """
    patient = document.patient
    if not patient.ins_exchangeable:
        raise OutboxError("La messagerie Mon espace santé n'est possible qu'avec une identité qualifiée (INS vérifié).")
    address = f"{patient.ins_matricule}@{mss_settings().patient_domain}"
    return outbox_enqueue(
        channel=Channel.MSS,
        kind="document",
        recipient_address=address,
        recipient_label=f"{patient.display_name} (Mon espace santé)",
        patient=patient,
        document=document,
        source_type=document.source_type,
        source_id=document.source_id,
        by=by,
    )
