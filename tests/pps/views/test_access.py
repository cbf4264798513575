"""Who may open each PPS page: every persona, allowed or denied."""

import datetime

import pytest
from django.urls import reverse

from pps import services
from tests.helpers import assert_access
from tests.pps.factories import EdpGroupFactory, seed_group

pytestmark = pytest.mark.django_db

# The holders of pps_author in the rights table (docs/rights-and-security.md): doctors (the GP included) and
# the annonce nurse.
AUTHORS = {"doctor", "doctor_other_3c", "annonce_nurse", "gp"}
# The hospital's patient: its care staff who write PPS (not the 3C secretary, whose link is per 3C).
HOSPITAL_CARE = {"doctor", "annonce_nurse"}


@pytest.fixture
def pps(personas, hospital_patient):
    pps = services.pps_create(patient=hospital_patient, by=personas["doctor"])
    services.pps_group_apply(pps=pps, group=seed_group(), start_date=datetime.date(2025, 4, 18), by=personas["doctor"])
    return pps


def test_pps_home(client, personas):
    assert_access(client, personas, reverse("pps:home"), allowed=AUTHORS)


def test_library(client, personas):
    assert_access(client, personas, reverse("pps:library"), allowed=AUTHORS | {"admin"})


def test_regional_group_page(client, personas):
    group = seed_group()
    assert_access(client, personas, reverse("pps:group", args=[group.pk]), allowed=AUTHORS | {"admin"})
    assert_access(
        client, personas, reverse("pps:group_preview", args=[group.pk]) + "?start=2025-04-18",
        allowed=AUTHORS | {"admin"},
    )  # fmt: skip


def test_a_personal_group_is_hidden_from_others(client, personas):
    group = EdpGroupFactory(personal=True, owner=personas["annonce_nurse"])
    url = reverse("pps:group", args=[group.pk])
    client.force_login(personas["doctor"])
    assert client.get(url).status_code == 404
    client.force_login(personas["annonce_nurse"])
    assert client.get(url).status_code == 200


def test_only_the_admin_edits_the_regional_library(client, personas):
    group = seed_group()
    url = reverse("pps:group_element_add", args=[group.pk])
    data = {"element-kind": "imagerie", "element-rule_kind": "working_after_start", "element-delay": "10"}
    assert_access(client, personas, url, method="post", data=data, allowed={"admin"}, ok_status=302)


def test_patient_pps_list_is_for_the_patients_care_team_only(client, personas, hospital_patient):
    assert_access(client, personas, reverse("pps:patient", args=[hospital_patient.pk]), allowed=HOSPITAL_CARE)


def test_pps_detail_is_for_the_patients_care_team_only(client, personas, pps):
    assert_access(client, personas, reverse("pps:detail", args=[pps.pk]), allowed=HOSPITAL_CARE)


def test_creating_a_pps_is_for_the_patients_care_team_only(client, personas, hospital_patient):
    url = reverse("pps:create", args=[hospital_patient.pk])
    assert_access(client, personas, url, method="post", allowed=HOSPITAL_CARE, ok_status=302)


def test_rescheduling_is_for_the_patients_care_team_only(client, personas, pps):
    block = pps.blocks.get()
    url = reverse("pps:block_reschedule", args=[pps.pk, block.pk])
    data = {f"bloc{block.pk}-start_date": "2025-05-05"}
    assert_access(client, personas, url, method="post", data=data, allowed=HOSPITAL_CARE, ok_status=302)


def test_choosing_the_rcp_fiche_is_for_the_patients_care_team_only(client, personas, pps):
    from tests.pps.fiches import validated_fiche

    fiche = validated_fiche(pps.patient, establishment=personas.hospital, by=personas["doctor"])
    url = reverse("pps:rcp_fiche", args=[pps.pk])
    data = {"rcp-rcp_fiche": str(fiche.pk)}
    assert_access(client, personas, url, method="post", data=data, allowed=HOSPITAL_CARE, ok_status=302)
    pps.refresh_from_db()
    assert pps.rcp_fiche == fiche


def test_statistics(client, personas):
    assert_access(client, personas, reverse("pps:statistics"), allowed={"admin", "secretary_3c", "registry"})


def test_the_pps_nav_item_follows_the_rights(personas):
    from dcc.accounts.navigation import nav_items

    def pps_link(name):
        return next((item.url for item in nav_items(personas[name]) if item.section == "pps"), None)

    assert pps_link("annonce_nurse") == reverse("pps:home")
    assert pps_link("admin") == reverse("pps:library")
    assert pps_link("registry") is None
    assert pps_link("no_profile") is None
