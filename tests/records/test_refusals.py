"""Issue 16, findings 3, 4 and 5: refusals traced (coalesced), break glass without identity, exact-only search."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail
from tests.identity.factories import PatientFactory
from tests.rcp.conftest import rcp_reference_data, world  # noqa: F401
from tests.rcp.factories import register_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(world, personas):  # noqa: F811
    return register_dossier(world["session"], personas["doctor"], patient=PatientFactory(birth_name="BERTIN"))


def _denied(user=None):
    lines = AccessTrail.objects.filter(action=TrailAction.ACCESS_DENIED)
    return lines.filter(user=user) if user is not None else lines


@pytest.mark.parametrize("name", ["doctor_other_3c", "gp", "registry"])
def test_a_refused_dossier_writes_one_line_naming_the_patient(client, personas, dossier, name):
    user = personas[name]
    client.force_login(user)
    url = reverse("rcp:dossier", args=[dossier.pk])

    assert client.get(url).status_code == 403

    line = _denied(user).get()
    # Refused by the profile check before the dossier is read: the URL alone says what was tried.
    assert line.patient_id == (None if name == "registry" else dossier.patient_id)
    assert url in line.detail and line.detail.startswith("403 GET")


def test_a_refusal_on_a_url_naming_the_patient_names_him(client, personas):
    patient = PatientFactory()
    client.force_login(personas["doctor_other_3c"])
    assert client.get(reverse("records:patient_access_log", args=[patient.pk])).status_code == 403
    assert _denied(personas["doctor_other_3c"]).get().patient_id == patient.pk


def test_repeated_refusals_are_coalesced(client, personas, dossier):
    client.force_login(personas["doctor_other_3c"])
    for _ in range(10):
        assert client.get(reverse("rcp:dossier", args=[dossier.pk])).status_code == 403
    assert _denied().count() == 1


def test_a_flood_of_refusals_is_capped_with_a_line_saying_so(client, personas, settings):
    settings.DCC_TRAIL_REFUSAL_MAX_LINES = 5
    client.force_login(personas["doctor_other_3c"])
    for patient in PatientFactory.create_batch(9):
        client.get(reverse("records:patient_access_log", args=[patient.pk]))
    lines = list(_denied().order_by("id"))
    assert len(lines) == 6
    assert "non détaillés" in lines[-1].detail and lines[-1].patient_id is None


def test_an_unknown_address_and_anonymous_visitors_write_nothing(client, personas, dossier):
    assert client.get(reverse("rcp:dossier", args=[dossier.pk])).status_code == 302
    client.force_login(personas["doctor_other_3c"])
    assert client.get("/nulle-part/").status_code == 404
    assert not _denied().exists()


# --- Break glass (finding 4) ------------------------------------------------------------------


def test_the_break_glass_form_shows_no_identity_and_is_traced(client, personas):
    patient = PatientFactory(birth_name="CONFIDENTIEL", first_given_name="SECRETE")
    user = personas["doctor_other_3c"]
    client.force_login(user)

    page = client.get(reverse("records:break_glass", args=[patient.pk])).content.decode()

    assert "CONFIDENTIEL" not in page.upper() and "SECRETE" not in page.upper()
    line = AccessTrail.objects.get(user=user, patient_id=patient.pk)
    assert line.action == TrailAction.READ and "bris de glace" in line.detail


# --- Identity search (finding 5) --------------------------------------------------------------


def test_outside_his_patients_a_fragment_finds_nothing(client, personas, dossier):
    PatientFactory.create_batch(3, birth_name="BEAULIEU")
    client.force_login(personas["doctor_other_3c"])

    page = client.get(reverse("identity:search"), {"q": "be"}).content.decode()

    assert "BEAULIEU" not in page and "BERTIN" not in page


def test_his_own_patients_are_found_by_a_fragment(client, personas, dossier):
    client.force_login(personas["doctor"])
    assert "BERTIN" in client.get(reverse("identity:search"), {"q": "be"}).content.decode()


def test_outside_his_patients_an_exact_identity_is_found_and_traced(client, personas):
    patient = PatientFactory(birth_name="LE GALL", first_given_name="ANNE-MARIE", birth_date=datetime.date(1961, 4, 5))
    PatientFactory(birth_name="LE GALL", first_given_name="ANNE", birth_date=datetime.date(1961, 4, 5))
    user = personas["doctor_other_3c"]
    client.force_login(user)

    page = client.get(reverse("identity:search"), {"q": "le gall anne marie", "birth_date": "1961-04-05"})

    assert page.content.decode().count("LE GALL") >= 1
    shown = AccessTrail.objects.filter(user=user, action=TrailAction.SEARCH).exclude(patient_id=None)
    assert list(shown.values_list("patient_id", flat=True)) == [patient.pk]
    # Without the birth date, nothing outside his patients.
    client.get(reverse("identity:search"), {"q": "le gall anne marie"})
    assert shown.count() == 1


def test_outside_his_patients_the_ins_finds_the_identity(personas):
    from identity.selectors import search_for_user

    patient = PatientFactory(with_ins=True)
    results = search_for_user(personas["doctor_other_3c"], ins=patient.ins_matricule)
    assert [(item["patient"], item["in_care"]) for item in results] == [(patient, False)]
