"""« Nouvelle demande d'avis » from a known patient (the contextual launch's demande_avis target)."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.models import AccessTrail
from dcc.records.services import care_relationship_add
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory
from tests.rcp.factories import RcpFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(personas):
    patient = PatientFactory()
    care_relationship_add(patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
                          establishment=personas.hospital)  # fmt: skip
    care_relationship_add(patient=patient, kind=CareRelationshipKind.THREE_C, three_c=personas.three_c)
    return patient


def test_the_page_is_for_those_who_register_and_see_the_patient(client, personas, patient):
    url = reverse("rcp:dossier_new", args=[patient.pk])

    assert_access(client, personas, url, allowed={"doctor", "medical_secretary", "secretary_3c"})


def test_the_coming_sessions_of_the_users_rcps_link_to_the_registration(client, personas, patient):
    rcp = RcpFactory(establishment=personas.hospital, title="RCP digestive test")
    coming = SessionFactory(rcp=rcp)
    SessionFactory(rcp=rcp, past=True)
    SessionFactory(rcp=rcp, cancelled=True)
    elsewhere = SessionFactory(rcp=RcpFactory(establishment=personas.other_hospital, title="RCP de Dax"))
    client.force_login(personas["doctor"])

    response = client.get(reverse("rcp:dossier_new", args=[patient.pk]))

    page = html.unescape(response.content.decode())
    assert f"{reverse('rcp:dossier_register', args=[coming.pk])}?patient={patient.pk}" in page
    assert page.count("Inscrire à cette séance") == 1
    assert reverse("rcp:dossier_register", args=[elsewhere.pk]) not in page
    assert AccessTrail.objects.filter(action=TrailAction.READ, patient_id=patient.pk,
                                      detail="nouvelle demande d'avis").exists()  # fmt: skip
    registration = client.get(f"{reverse('rcp:dossier_register', args=[coming.pk])}?patient={patient.pk}")
    assert registration.status_code == 200
