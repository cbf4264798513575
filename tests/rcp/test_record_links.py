"""The "Dossier documentaire" link from the identity, RCP dossier and concertation pages, for who may follow it."""

import pytest
from django.urls import reverse

from rcp.services.concertations import concertation_create
from tests.directory.factories import ProfessionalFactory
from tests.helpers import status_for
from tests.identity.factories import PatientFactory
from tests.personas import PERSONA_NAMES
from tests.rcp.factories import register_dossier

pytestmark = pytest.mark.django_db

CARE = {"secretary_3c", "doctor", "medical_secretary", "annonce_nurse"}


@pytest.fixture
def pages(world, personas):
    patient = PatientFactory()
    dossier = register_dossier(world["session"], personas["doctor"], patient=patient, question="?")
    concertation = concertation_create(
        patient=patient,
        requesting_doctor=personas["doctor"].professional,
        consulted=[ProfessionalFactory(surgeon=True)],
        question="Reprise ?",
        opinion="Chirurgie.",
        by=personas["doctor"],
    )
    return {
        "patient": patient,
        "urls": [
            reverse("identity:detail", args=[patient.pk]),
            reverse("rcp:dossier", args=[dossier.pk]),
            reverse("rcp:concertation", args=[concertation.pk]),
        ],
    }


def test_the_record_link_is_shown_exactly_to_who_may_open_the_record(client, personas, pages):
    record = reverse("records:documents", args=[pages["patient"].pk])
    link = f'href="{record}"'
    for name in PERSONA_NAMES:
        user = personas[name]
        may_open = status_for(client, user, record) == 200
        assert may_open == (name in CARE), name
        for url in pages["urls"]:
            response = client.get(url)
            if response.status_code != 200:
                assert not may_open, f"{name} {url}: {response.status_code}"
                continue
            assert (link in response.content.decode()) == may_open, f"{name} {url}"


def test_a_doctor_of_another_3c_gets_neither_the_pages_nor_the_record(client, personas, pages):
    client.force_login(personas["doctor_other_3c"])
    for url in [*pages["urls"], reverse("records:documents", args=[pages["patient"].pk])]:
        assert client.get(url).status_code == 403, url
