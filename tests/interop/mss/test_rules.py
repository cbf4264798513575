"""Recipient rules (data) applied when a produced document is stored, in the same transaction."""

from __future__ import annotations

import pytest

from dcc.records import documents_services
from dcc.records.enums import DocumentOrigin, ValidationStatus
from interop.mss import services as mss_services
from interop.mss.models import RecipientRule
from interop.outbox.enums import OutboxState
from interop.outbox.errors import OutboxError
from interop.outbox.models import OutboxMessage
from rcp.models import FicheVersion
from tests.directory.factories import ProfessionalFactory
from tests.rcp.fiche_documents import fiche_world, validate
from tests.records.documents_helpers import sample_frcp

pytestmark = pytest.mark.django_db


def store_fiche_document(version):
    pdf, cda = sample_frcp()
    return documents_services.document_store(
        patient=version.fiche.dossier.patient, type_code="34794-8", title="Fiche RCP", origin=DocumentOrigin.PRODUCED,
        act_date=version.signed_at, pdf=pdf, cda=cda, validation_status=ValidationStatus.VALID,
        source_type="rcp.ficheversion", source_id=version.pk,
    )  # fmt: skip


@pytest.fixture
def validated(personas):
    gp = ProfessionalFactory(general_practitioner=True, last_name="Generaliste")
    world = fiche_world(personas)
    world["patient"].general_practitioner = gp
    world["patient"].save(update_fields=["general_practitioner"])
    validate(world, personas)
    world["version"] = FicheVersion.objects.get(fiche=world["dossier"].fiche)
    world["gp"] = gp
    return world


def test_a_stored_fiche_goes_to_the_gp_the_requesting_doctor_and_the_doctors_present(validated, personas):
    document = store_fiche_document(validated["version"])
    rows = OutboxMessage.objects.filter(document=document)
    present = {p["professional_id"] for p in validated["version"].participants}
    expected = {validated["gp"].pk, personas["doctor"].professional_id} | present
    assert {r.professional_id for r in rows} == expected
    assert len(rows) == len(expected)  # the requesting doctor, also present, once
    assert all(r.state == OutboxState.PENDING and r.kind == "document" for r in rows)
    assert rows.get(professional=validated["gp"]).recipient_address == validated["gp"].mss_address


def test_rules_are_data_the_admin_can_switch_off(validated):
    RecipientRule.objects.filter(source_type="rcp.ficheversion").exclude(role="medecin_traitant").update(
        is_active=False
    )
    document = store_fiche_document(validated["version"])
    assert list(OutboxMessage.objects.filter(document=document).values_list("professional", flat=True)) == [
        validated["gp"].pk
    ]


def test_a_recipient_without_mss_address_is_a_failed_row_not_an_error(validated):
    validated["gp"].mss_address = ""
    validated["gp"].save(update_fields=["mss_address"])
    document = store_fiche_document(validated["version"])
    row = OutboxMessage.objects.get(document=document, professional=validated["gp"])
    assert row.state == OutboxState.FAILED and row.last_detail == "Pas d'adresse MSSanté pour ce destinataire."


def test_storing_the_same_document_twice_does_not_duplicate_sends(validated):
    document = store_fiche_document(validated["version"])
    count = OutboxMessage.objects.filter(document=document).count()
    from interop.mss.rules import dispatch_stored_document

    dispatch_stored_document(document)
    assert OutboxMessage.objects.filter(document=document).count() == count


def test_a_failing_rule_never_loses_the_document(validated, monkeypatch):
    monkeypatch.setattr("interop.mss.rules.recipients_for", lambda document: 1 / 0)
    document = store_fiche_document(validated["version"])
    assert document.pk and not OutboxMessage.objects.filter(document=document).exists()


def test_patient_mailbox_only_for_a_qualified_identity(validated, personas):
    document = store_fiche_document(validated["version"])
    patient = document.patient
    row = mss_services.diffusion_send_to_patient(document=document, by=personas["doctor"])
    assert row.recipient_address == f"{patient.ins_matricule}@patient.mssante.fr"
    patient.rniv_status = "validee"
    patient.save(update_fields=["rniv_status"])
    document.patient.refresh_from_db()
    with pytest.raises(OutboxError, match="identité qualifiée"):
        mss_services.diffusion_send_to_patient(document=document, by=personas["doctor"])


def test_add_a_recipient_from_the_directory(validated, personas):
    document = store_fiche_document(validated["version"])
    other = ProfessionalFactory(last_name="Ajoute")
    row = mss_services.diffusion_add_recipient(document=document, professional=other, by=personas["doctor"])
    assert row.professional == other and row.created_by == personas["doctor"] and row.state == OutboxState.PENDING
