"""The GP's pages: access by persona, the contribution (bad input in French), its display to the RCP, the setting."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail
from rcp.gp.models import GpContribution, GpNotice, GpNoticeSettings
from tests.helpers import assert_access, status_for
from tests.identity.factories import PatientFactory
from tests.rcp.factories import register_dossier

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def notified(personas, world, gp_patient):
    return register_dossier(world["session"], personas["doctor"], patient=gp_patient)


@pytest.fixture
def other(personas, world):
    """A dossier of another patient in the same session: the GP is not this patient's GP."""
    from dcc.records.enums import CareRelationshipKind
    from dcc.records.services import care_relationship_add

    patient = PatientFactory()
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    return register_dossier(world["session"], personas["doctor"], patient=patient)


def test_the_gp_opens_his_notified_dossier_and_not_another(client, personas, notified, other):
    assert status_for(client, personas["gp"], reverse("rcp:dossier", args=[notified.pk])) == 200
    assert status_for(client, personas["gp"], reverse("rcp:dossier", args=[other.pk])) == 403
    assert status_for(client, personas["gp"], reverse("gp:contribute", args=[other.pk])) == 403
    notice = GpNotice.objects.get(dossier=notified)
    assert notice.consultations == 1 and notice.first_consulted_at is not None


def test_contribution_page_access_by_persona(client, personas, notified):
    assert_access(client, personas, reverse("gp:contribute", args=[notified.pk]), allowed={"gp"})


def test_home_pages_access_by_persona(client, personas, notified):
    # Every professional with patient access may have been notified as a GP; the page lists only his notices.
    allowed = {"gp", "doctor", "doctor_other_3c", "annonce_nurse"}
    assert_access(client, personas, reverse("gp:home"), allowed=allowed)
    assert_access(client, personas, reverse("gp:home_block"), allowed=allowed)


def test_the_gp_home_lists_the_notified_patient(client, personas, notified, django_assert_max_num_queries):
    client.force_login(personas["gp"])
    home = client.get(reverse("home"))
    assert reverse("gp:home_block") in home.content.decode()
    with django_assert_max_num_queries(14):
        block = client.get(reverse("gp:home_block"))
    html = block.content.decode()
    assert notified.patient.display_name in html and reverse("rcp:dossier", args=[notified.pk]) in html
    assert AccessTrail.objects.filter(
        user=personas["gp"], patient_id=notified.patient_id, action=TrailAction.READ
    ).exists()
    client.force_login(personas["doctor_other_3c"])
    assert notified.patient.display_name not in client.get(reverse("gp:home")).content.decode()


def test_contribution_with_a_pdf_is_shown_to_the_rcp_and_traced(client, personas, notified):
    client.force_login(personas["gp"])
    response = client.post(
        reverse("gp:contribute", args=[notified.pk]),
        {"text": "Patiente sous AVK, vit seule ; souhaite un traitement ambulatoire.",
         "attachment": SimpleUploadedFile("bilan.pdf", PDF, content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 302
    contribution = GpContribution.objects.get(dossier=notified)
    assert (contribution.attachment_name, contribution.attachment_type) == ("bilan.pdf", "application/pdf")
    assert AccessTrail.objects.filter(
        user=personas["gp"], action=TrailAction.CREATE, object_type="gp.GpContribution"
    ).exists()
    client.force_login(personas["secretary_3c"])
    page = client.get(reverse("rcp:dossier", args=[notified.pk])).content.decode()
    assert "vit seule" in page and reverse("gp:attachment", args=[contribution.pk]) in page
    from rcp.services.agenda import session_open
    from rcp.services.dossiers import session_set_current

    session_open(session=notified.session, by=personas["secretary_3c"])
    session_set_current(session=notified.session, dossier=notified, by=personas["secretary_3c"])
    live = client.get(reverse("rcp:session_live", args=[notified.session_id])).content.decode()
    assert "vit seule" in live
    download = client.get(reverse("gp:attachment", args=[contribution.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert status_for(client, personas["doctor_other_3c"], reverse("gp:attachment", args=[contribution.pk])) == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "   "}, "Écrivez votre message à la RCP."),
        ({"text": "x" * 5001}, "Votre message est trop long"),
        ({"text": "Voir pièce jointe", "attachment": ("script.pdf", b"#!/bin/sh\necho")}, "n&#x27;est ni un PDF"),
        ({"text": "Voir pièce jointe", "attachment": ("vide.pdf", b"")}, "Le fichier joint est vide."),
    ],
)
def test_contribution_bad_input_is_refused_in_french(client, personas, notified, data, message):
    client.force_login(personas["gp"])
    if "attachment" in data:
        name, content = data["attachment"]
        data = {**data, "attachment": SimpleUploadedFile(name, content)}
    response = client.post(reverse("gp:contribute", args=[notified.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GpContribution.objects.exists()


def test_an_oversized_attachment_is_refused(client, personas, notified, settings):
    settings.DCC_GP_CONTRIBUTION_MAX_BYTES = 1024
    client.force_login(personas["gp"])
    small_enough_body = SimpleUploadedFile("gros.pdf", PDF + b"0" * 2000)
    response = client.post(
        reverse("gp:contribute", args=[notified.pk]), {"text": "ok", "attachment": small_enough_body}
    )
    assert response.status_code == 400 and "trop volumineux" in response.content.decode()
    huge = SimpleUploadedFile("enorme.pdf", PDF + b"0" * 200_000)
    response = client.post(reverse("gp:contribute", args=[notified.pk]), {"text": "ok", "attachment": huge})
    assert response.status_code == 413 and "trop volumineux" in response.content.decode()
    assert not GpContribution.objects.exists()


def test_no_contribution_once_the_dossier_is_validated_or_cancelled(client, personas, notified):
    from rcp.services.dossiers import dossier_transition

    dossier_transition(dossier=notified, to="annule", by=personas["secretary_3c"], note="Doublon")
    assert status_for(client, personas["gp"], reverse("gp:contribute", args=[notified.pk])) == 403


def test_the_regional_delay_setting(client, personas):
    url = reverse("gp:settings")
    assert_access(client, personas, url, allowed={"admin"})
    client.force_login(personas["admin"])
    assert client.post(url, {"delay_working_days": "-1"}).status_code == 400
    assert "ne peut pas être négatif" in client.post(url, {"delay_working_days": "-1"}).content.decode()
    assert client.post(url, {"delay_working_days": "3"}).status_code == 302
    assert GpNoticeSettings.current().delay_working_days == 3


def test_the_notified_gp_reads_but_does_not_write_the_fiche(client, personas, notified):
    assert status_for(client, personas["gp"], reverse("rcp:fiche", args=[notified.pk])) == 403
    page = client.get(reverse("rcp:dossier", args=[notified.pk])).content.decode()
    assert "Remplir la fiche RCP" not in page and "Contribuer à la RCP" in page
    assert status_for(client, personas["gp"], reverse("rcp:dossier_attachments", args=[notified.pk])) == 403
    assert status_for(client, personas["doctor"], reverse("rcp:fiche", args=[notified.pk])) == 200
