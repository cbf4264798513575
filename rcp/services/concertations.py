"""Writes of the CR de concertation: an opinion given outside a session, signed, and its document."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from dcc.directory.models import Professional
from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.services import care_relationship_add
from interop.queueing import generation_queue, generation_relaunch
from rcp import perms
from rcp.concertation_documents import CONCERTATION_SOURCE
from rcp.models import Concertation, Rcp
from rcp.services.base import RoleRefused, trail
from rcp.services.fiches import clean_fiche_data

# --- CR de concertation ---------------------------------------------------------------------


@transaction.atomic
def concertation_create(
    *,
    patient,
    requesting_doctor: Professional,
    consulted: Iterable[Professional],
    question: str,
    opinion: str,
    treatment_codes: Iterable[str] = (),
    rcp: Rcp | None = None,
    by,
    request=None,
) -> Concertation:
    """Record an opinion given outside a session, signed by the doctor writing it; its document is then queued."""

    if not perms.is_doctor(by):
        raise RoleRefused("Seul un médecin peut signer un compte rendu de concertation.")
    consulted = [p for p in consulted if p.pk != by.professional_id]
    errors = {}
    if not (question or "").strip():
        errors["question"] = "La question posée est obligatoire."
    if not (opinion or "").strip():
        errors["opinion"] = "L'avis est obligatoire."
    if not consulted:
        errors["consulted"] = "Indiquez au moins un confrère consulté."
    if errors:
        raise ValidationError(errors)
    cleaned = clean_fiche_data(
        {"treatments": [{"rank": i, "code": c, "detail": ""} for i, c in enumerate(treatment_codes, 1) if c]}
    )
    concertation = Concertation.objects.create(
        patient=patient,
        rcp=rcp,
        requesting_doctor=requesting_doctor,
        question=question.strip(),
        opinion=opinion.strip(),
        treatments=cleaned["treatments"],
        author=by,
    )
    concertation.consulted.set(consulted)
    source = f"rcp.concertation:{concertation.pk}"
    for professional in {requesting_doctor, *consulted}:
        care_relationship_add(
            patient=patient,
            kind=CareRelationshipKind.REQUESTING_DOCTOR
            if professional == requesting_doctor
            else CareRelationshipKind.RCP_PARTICIPANT,
            professional=professional,
            source=source,
        )
    trail(by=by, action=TrailAction.CREATE, patient=patient, obj=concertation, request=request)
    # Signed means final: its CDA N1 document is filed in the patient's record. The pending generation is recorded
    # in this transaction and queued once it commits; a broker away then leaves it for the beat (interop.queueing).
    generation_queue(source_type=CONCERTATION_SOURCE, source_id=concertation.pk, patient=patient, by=by)
    return concertation


@transaction.atomic
def concertation_document_relaunch(*, concertation: Concertation, by, request=None) -> bool:
    """Queue again the CR de concertation's document when it failed or stayed « En attente » (traced)."""

    queued = generation_relaunch(
        source_type=CONCERTATION_SOURCE, source_id=concertation.pk, patient=concertation.patient, by=by
    )
    trail(
        by=by,
        action=TrailAction.UPDATE,
        patient=concertation.patient,
        obj=concertation,
        request=request,
        detail="relance du document",
    )
    return queued
