"""Issue 15, finding 7: one page per patient leading to everything the DCC holds, and who to call."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dcc.records.models import AccessTrail
from rcp.enums import DossierStatus
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory
from tests.pps.factories import PpsFactory
from tests.rcp.conftest import rcp_reference_data, world  # noqa: F401  (the RCP fixtures)
from tests.rcp.factories import DossierFactory, SessionFactory, register_dossier
from tests.records.documents_helpers import store_frcp

pytestmark = pytest.mark.django_db

# The care team of a patient registered to the personas' RCP (see tests/rcp/test_dossier_views.py), and his GP:
# registering the dossier notified him (issue 12, « médecin traitant prévenu »), which opens the patient to him.
CARE = {"secretary_3c", "doctor", "medical_secretary", "annonce_nurse", "gp"}


@pytest.fixture
def case(world, personas):  # noqa: F811  (the fixture imported above)
    patient = PatientFactory(general_practitioner=personas["gp"].professional)
    coming = register_dossier(world["session"], personas["doctor"], patient=patient)
    past_session = SessionFactory(rcp=world["rcp"], past=True)
    past = DossierFactory(
        session=past_session, patient=patient, requesting_doctor=personas["doctor"].professional,
        status=DossierStatus.VALIDATED, question="Traitement adjuvant ?",
    )  # fmt: skip
    PpsFactory(patient=patient, author=personas["annonce_nurse"], establishment=personas.hospital)
    store_frcp(patient, title="Fiche RCP migrée")
    personas.three_c.phone = "05 49 00 11 22"
    personas.three_c.save()
    return {"patient": patient, "coming": coming, "past": past}


def test_the_summary_is_for_the_patients_care_team_only(client, personas, case):
    assert_access(client, personas, reverse("summary:patient", args=[case["patient"].pk]), allowed=CARE)


def test_the_summary_leads_everywhere_and_says_who_to_call(client, personas, case, django_assert_max_num_queries):
    patient = case["patient"]
    client.force_login(personas["annonce_nurse"])
    with django_assert_max_num_queries(30):
        page = client.get(reverse("summary:patient", args=[patient.pk])).content.decode()

    assert reverse("rcp:dossier", args=[case["coming"].pk]) in page
    assert reverse("rcp:dossier", args=[case["past"].pk]) in page
    assert "Prochains passages en RCP" in page and "Passages en RCP et fiches" in page
    assert reverse("pps:patient", args=[patient.pk]) in page and "PPS version 1" in page
    assert "Fiche RCP migrée" in page and reverse("records:documents", args=[patient.pk]) in page
    assert "Médecin traitant" in page and personas["gp"].professional.display_name in page
    assert "Secrétariat du 3C" in page and "05 49 00 11 22" in page
    assert AccessTrail.objects.filter(patient_id=patient.pk, detail="Synthèse").exists()


def test_the_summary_query_count_does_not_grow_with_the_history(client, personas, case, django_assert_max_num_queries):
    patient = case["patient"]
    for days in range(2, 8):
        starts = timezone.now() - datetime.timedelta(days=days * 7)
        session = SessionFactory(rcp=case["coming"].session.rcp, starts_at=starts, past=True)
        DossierFactory(session=session, patient=patient, requesting_doctor=personas["doctor"].professional)
        PpsFactory(patient=patient, author=personas["annonce_nurse"])
    client.force_login(personas["doctor"])
    with django_assert_max_num_queries(30):
        assert client.get(reverse("summary:patient", args=[patient.pk])).status_code == 200


def test_every_patient_list_links_to_the_summary(client, personas, case):
    patient = case["patient"]
    url = reverse("summary:patient", args=[patient.pk])
    client.force_login(personas["secretary_3c"])
    pages = {
        "séance": reverse("rcp:session", args=[case["coming"].session_id]),
        "dossier": reverse("rcp:dossier", args=[case["coming"].pk]),
        "dossiers du patient": reverse("rcp:patient_dossiers", args=[patient.pk]),
        "documents": reverse("records:documents", args=[patient.pk]),
        "identité": reverse("identity:detail", args=[patient.pk]),
        "recherche": reverse("identity:search") + f"?q={patient.birth_name}",
    }
    missing = [name for name, page in pages.items() if url not in client.get(page).content.decode()]
    assert not missing
