import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dcc.records.enums import QuarantineStatus, TrailAction
from dcc.records.models import AccessTrail, Document, QuarantinedDocument
from interop.importing import document_import
from tests.helpers import assert_access
from tests.interop.test_importing import cda_for
from tests.records.documents_helpers import record_patient, sample_frcp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "default": default}


def test_the_upload_page_is_open_to_the_care_team_only(client, personas):
    patient = record_patient(personas)
    assert_access(
        client, personas, reverse("records:document_upload", args=[patient.pk]),
        allowed={"doctor", "medical_secretary", "annonce_nurse"},
    )  # fmt: skip


def test_uploading_a_pdf_files_it_and_traces_it(client, personas):
    patient = record_patient(personas)
    pdf, _ = sample_frcp()
    client.force_login(personas["doctor"])

    response = client.post(
        reverse("records:document_upload", args=[patient.pk]),
        {"file": SimpleUploadedFile("acp.pdf", pdf), "type_code": "11526-1", "act_date": "2026-01-05", "title": ""},
    )

    assert response.status_code == 302
    document = Document.objects.get(patient=patient)
    assert document.type_code == "11526-1"
    assert AccessTrail.objects.filter(action=TrailAction.CREATE, object_id=str(document.pk)).exists()


def test_a_fake_pdf_is_refused_with_a_french_message(client, personas):
    patient = record_patient(personas)
    client.force_login(personas["doctor"])

    response = client.post(
        reverse("records:document_upload", args=[patient.pk]),
        {"file": SimpleUploadedFile("faux.pdf", b"MZ\x90\x00"), "type_code": "11526-1", "act_date": "2026-01-05"},
    )

    assert response.status_code == 200
    assert "n&#x27;est pas un fichier PDF" in response.content.decode()
    assert not Document.objects.exists()


def test_an_oversized_upload_is_refused_before_being_read(client, personas, settings):
    settings.DCC_DOCUMENT_MAX_UPLOAD_BYTES = 1024 * 1024
    patient = record_patient(personas)
    client.force_login(personas["doctor"])

    response = client.post(
        reverse("records:document_upload", args=[patient.pk]),
        {"file": SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024)), "type_code": "11526-1",
         "act_date": "2026-01-05"},
    )  # fmt: skip

    assert response.status_code == 413
    assert "trop volumineux" in response.content.decode()
    assert not Document.objects.exists()


def test_the_quarantine_page_is_for_3c_secretaries_and_the_admin(client, personas):
    assert_access(client, personas, reverse("records:quarantine"), allowed={"secretary_3c", "admin"})


def test_a_quarantined_cda_is_attached_by_a_human_decision(client, personas):
    from dcc.records.enums import CareRelationshipKind
    from dcc.records.services import care_relationship_add

    patient = record_patient(personas)
    care_relationship_add(patient=patient, kind=CareRelationshipKind.THREE_C, three_c=personas.three_c)
    outcome = document_import(data=cda_for(patient, birth_name="AUTRE"), filename="x.xml", origin="migration")
    item = outcome.quarantined
    client.force_login(personas["secretary_3c"])

    client.post(
        reverse("records:quarantine_decide", args=[item.pk]),
        {"decision": "attach", "patient_id": patient.pk, "note": "Nom d'usage vérifié avec le service"},
    )

    item.refresh_from_db()
    assert item.status == QuarantineStatus.ATTACHED and item.resolved_by == personas["secretary_3c"]
    assert item.document.patient == patient


def test_a_quarantined_document_can_be_rejected(client, personas):
    patient = record_patient(personas)
    item = document_import(
        data=cda_for(patient, ins="299129999999999"), filename="x.xml", origin="migration"
    ).quarantined
    client.force_login(personas["admin"])

    client.post(reverse("records:quarantine_decide", args=[item.pk]), {"decision": "reject", "note": "Doublon"})

    item.refresh_from_db()
    assert item.status == QuarantineStatus.REJECTED
    assert not Document.objects.exists()
    assert QuarantinedDocument.objects.count() == 1  # kept, nothing lost


def test_a_secretary_cannot_attach_to_a_patient_outside_her_3c(client, personas):
    patient = record_patient(personas)  # treated at the hospital, not linked to the secretary's 3C
    item = document_import(data=cda_for(patient, birth_name="AUTRE"), filename="x.xml", origin="migration").quarantined
    client.force_login(personas["secretary_3c"])

    client.post(
        reverse("records:quarantine_decide", args=[item.pk]),
        {"decision": "attach", "patient_id": patient.pk, "note": "Essai hors périmètre"},
    )

    item.refresh_from_db()
    assert item.status == QuarantineStatus.PENDING
    assert not Document.objects.exists()
