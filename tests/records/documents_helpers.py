"""Shared setup of the document tests: an FRCP in the record and a validated PPS ready to produce."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dcc.records import documents_services
from dcc.records.enums import CareRelationshipKind, DocumentOrigin, ValidationStatus
from dcc.records.services import care_relationship_add
from interop.cda import samples
from interop.documents import produce_frcp
from pps.enums import PpsStatus
from tests.identity.factories import LocalIdentifierFactory, PatientFactory
from tests.pps.factories import PpsElementFactory, PpsFactory

_FRCP_CACHE: dict[str, bytes] = {}


def sample_frcp() -> tuple[bytes, bytes]:
    """The official-rule-valid FRCP of the samples (PDF, CDA), built once per process."""
    if not _FRCP_CACHE:
        produced = produce_frcp(samples.header(title="Fiche RCP"), samples.frcp_appareil(), issuer="3C test")
        assert produced.valid, produced.validation.summary_fr()
        _FRCP_CACHE["pdf"], _FRCP_CACHE["cda"] = produced.pdf, produced.cda.xml
    return _FRCP_CACHE["pdf"], _FRCP_CACHE["cda"]


def record_patient(personas, **traits):
    patient = PatientFactory(**({"qualified": True} | traits))
    LocalIdentifierFactory(patient=patient, establishment=personas.hospital)
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    return patient


def store_frcp(patient, *, title="Fiche RCP sein", act_date=None):
    pdf, cda = sample_frcp()
    return documents_services.document_store(
        patient=patient,
        type_code="34794-8",
        title=title,
        origin=DocumentOrigin.MIGRATION,
        act_date=act_date or timezone.now() - datetime.timedelta(days=3),
        pdf=pdf,
        cda=cda,
        validation_status=ValidationStatus.VALID,
    )


def validated_pps(personas, patient, **extra):
    doctor = personas["doctor"]
    values = {"author": doctor, "validated_by": doctor, "no_rcp_reason": "Test"} | extra
    pps = PpsFactory(
        patient=patient,
        establishment=personas.hospital,
        three_c=personas.three_c,
        status=PpsStatus.VALIDATED,
        validated_at=timezone.now(),
        **values,
    )
    PpsElementFactory(pps=pps, kind="consultation", planned_date=datetime.date(2026, 12, 1))
    PpsElementFactory(
        pps=pps, kind="chirurgie", planned_date=datetime.date(2026, 12, 8), establishment=personas.hospital
    )
    PpsElementFactory(pps=pps, kind="soins_support", planned_date=datetime.date(2026, 12, 15), label="Diététicienne")
    return pps
