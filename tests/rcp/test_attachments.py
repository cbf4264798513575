"""Documents of the patient's record attached to a demande d'avis: service checks, pages, personas, links."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dcc.records import documents_services
from dcc.records.enums import DocumentOrigin, TrailAction
from dcc.records.models import AccessTrail
from rcp.enums import DossierMotive, DossierStatus
from rcp.models import Dossier, DossierAttachment
from rcp.services.agenda import session_open
from rcp.services.dossiers import dossier_attachments_set, dossier_transition, session_set_current
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory
from tests.rcp.factories import SessionFactory, register_dossier

pytestmark = pytest.mark.django_db

CARE = {"secretary_3c", "doctor", "medical_secretary", "annonce_nurse"}
# Who may register dossiers among the patient's care team (the nurse sees the dossier, does not register).
REQUESTING_SIDE = {"secretary_3c", "doctor", "medical_secretary"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "default": default}


def record_document(patient, *, title="CR anatomopathologique", type_code="11526-1", days=10, replaces=None):
    return documents_services.document_store(
        patient=patient,
        type_code=type_code,
        title=title,
        origin=DocumentOrigin.MIGRATION,
        act_date=timezone.now() - datetime.timedelta(days=days),
        pdf=b"%PDF-1.4 test",
        replaces=replaces,
    )


def register(world, personas, patient, **extra):
    return register_dossier(extra.pop("session", world["session"]), personas["doctor"], patient=patient, **extra)


@pytest.fixture
def attached(world, personas):
    patient = PatientFactory(birth_name="PIECEJOINTE")
    acp = record_document(patient)
    imaging = record_document(patient, title="Scanner thoraco-abdominal", type_code="18748-4", days=5)
    dossier = register(world, personas, patient, attachments=[acp, imaging])
    return {**world, "patient": patient, "dossier": dossier, "acp": acp, "imaging": imaging}


def test_registration_attaches_documents_of_the_patients_record(attached, personas):
    rows = DossierAttachment.objects.filter(dossier=attached["dossier"])
    assert {row.document_id for row in rows} == {attached["acp"].pk, attached["imaging"].pk}
    assert {row.added_by_id for row in rows} == {personas["doctor"].pk}
    assert set(attached["dossier"].attachments.all()) == {attached["acp"], attached["imaging"]}


def test_a_document_of_another_patient_is_refused_in_french_and_nothing_is_written(world, personas):
    patient, stranger = PatientFactory(), PatientFactory()
    foreign = record_document(stranger, title="CR d'un autre patient")

    with pytest.raises(ValidationError) as refused:
        register(world, personas, patient, attachments=[foreign])

    assert "n'appartient pas au dossier de ce patient" in str(refused.value.message_dict["attachments"])
    assert not Dossier.objects.filter(patient=patient).exists()


def test_attachments_are_edited_while_draft_or_registered_then_frozen(attached, personas):
    dossier = attached["dossier"]
    previous_frcp = record_document(attached["patient"], title="Fiche RCP 2025", type_code="34794-8", days=300)

    dossier_attachments_set(dossier=dossier, documents=[attached["acp"], previous_frcp], by=personas["doctor"])

    assert set(dossier.attachments.all()) == {attached["acp"], previous_frcp}
    line = AccessTrail.objects.filter(patient_id=attached["patient"].pk, action=TrailAction.UPDATE).latest("id")
    assert line.detail == "pièces jointes : 1 ajoutée(s), 1 retirée(s)"
    dossier_transition(dossier=dossier, to=DossierStatus.CANCELLED, by=personas["doctor"], note="Doublon")
    with pytest.raises(ValidationError, match="ne sont plus modifiables"):
        dossier_attachments_set(dossier=dossier, documents=[], by=personas["doctor"])
    assert dossier.attachments.count() == 2


def test_a_replaced_version_cannot_be_attached(world, personas):
    patient = PatientFactory()
    first = record_document(patient, title="CR ACP v1")
    record_document(patient, title="CR ACP v2", replaces=first)
    first.refresh_from_db()

    with pytest.raises(ValidationError, match="a été remplacé"):
        register(world, personas, patient, attachments=[first])


def test_the_attachments_page_is_for_the_requesting_side_of_the_patients_care(client, personas, attached):
    url = reverse("rcp:dossier_attachments", args=[attached["dossier"].pk])
    assert_access(client, personas, url, allowed=REQUESTING_SIDE)


def test_the_attachments_page_replaces_the_choice_and_refuses_a_foreign_document(client, personas, attached):
    url = reverse("rcp:dossier_attachments", args=[attached["dossier"].pk])
    foreign = record_document(PatientFactory(), title="CR étranger")
    client.force_login(personas["medical_secretary"])

    page = client.get(url).content.decode()
    assert "Scanner thoraco-abdominal" in page and "CR étranger" not in page
    response = client.post(url, {"attachments": [attached["imaging"].pk, foreign.pk]})
    assert response.status_code == 200
    assert "Choisissez uniquement des documents en vigueur du dossier de ce patient." in response.content.decode()
    assert attached["dossier"].attachments.count() == 2

    response = client.post(url, {"attachments": [attached["imaging"].pk]})
    assert response.status_code == 302
    assert list(attached["dossier"].attachments.all()) == [attached["imaging"]]


def test_the_registration_page_offers_the_records_documents(client, personas, world):
    patient = PatientFactory()
    register(world, personas, patient, session=SessionFactory(rcp=world["rcp"]))  # the patient is now in care
    acp = record_document(patient, title="Biopsie colique")
    url = reverse("rcp:dossier_register", args=[world["session"].pk])
    client.force_login(personas["doctor"])

    assert "Biopsie colique" in client.get(url, {"patient": patient.pk}).content.decode()
    response = client.post(
        url,
        {
            "patient": patient.pk,
            "requesting_doctor": personas["doctor"].professional_id,
            "motive": DossierMotive.FIRST,
            "question": "Chirurgie ?",
            "attachments": [acp.pk],
        },
    )

    assert response.status_code == 302
    assert list(Dossier.objects.get(session=world["session"], patient=patient).attachments.all()) == [acp]


def test_dossier_session_and_live_pages_link_each_attachment_to_the_record(client, personas, attached):
    session, dossier = attached["session"], attached["dossier"]
    session_open(session=session, by=personas["secretary_3c"])
    session_set_current(session=session, dossier=dossier, by=personas["secretary_3c"])
    links = [reverse("records:document_detail", args=[attached[key].pk]) for key in ("acp", "imaging")]
    client.force_login(personas["secretary_3c"])
    for url in (
        reverse("rcp:dossier", args=[dossier.pk]),
        reverse("rcp:session", args=[session.pk]),
        reverse("rcp:session_live", args=[session.pk]),
        reverse("rcp:session_follow", args=[session.pk]),
    ):
        page = client.get(url).content.decode()
        assert all(link in page for link in links), url
    # The link opens the document in the record, which checks access and traces the read.
    assert client.get(links[0]).status_code == 200
    assert AccessTrail.objects.filter(
        patient_id=attached["patient"].pk, object_id=str(attached["acp"].pk), object_type="records.Document"
    ).exists()


def test_a_doctor_of_another_3c_sees_no_attachment(client, personas, attached):
    client.force_login(personas["doctor_other_3c"])
    page = client.get(reverse("rcp:session", args=[attached["session"].pk])).content.decode()
    assert "Scanner thoraco-abdominal" not in page and "1 autre dossier" in page
    assert client.get(reverse("records:document_detail", args=[attached["imaging"].pk])).status_code == 403
    assert client.get(reverse("rcp:dossier_attachments", args=[attached["dossier"].pk])).status_code == 403


def test_dossier_page_shows_the_attachments_for_a_constant_number_of_queries(client, personas, attached):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("rcp:dossier", args=[attached["dossier"].pk])
    client.force_login(personas["doctor"])
    client.get(url)  # the first page loads the user, its grants and menu into the cache
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for index in range(6):
        record_document(attached["patient"], title=f"Examen {index}")
    dossier_attachments_set(
        dossier=attached["dossier"], documents=attached["patient"].documents.all(), by=personas["doctor"]
    )
    with CaptureQueriesContext(connection) as eight:
        page = client.get(url).content.decode()

    assert page.count("Examen ") == 6
    assert len(eight) == len(two) <= 26


def test_a_postponed_dossier_takes_its_attachments_to_the_next_session(attached, personas):
    later = SessionFactory(rcp=attached["rcp"], starts_at=attached["session"].starts_at + datetime.timedelta(days=7))

    dossier_transition(dossier=attached["dossier"], to=DossierStatus.POSTPONED, by=personas["doctor"])

    successor = Dossier.objects.get(previous=attached["dossier"])
    assert successor.session == later
    assert set(successor.attachments.all()) == {attached["acp"], attached["imaging"]}
