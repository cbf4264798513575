"""The annonce nurse builds a PPS from a groupement, shifts its start, sees the calendar move, validates."""

import re

import pytest
from playwright.sync_api import Page, expect

from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from tests.accounts.factories import PASSWORD
from tests.identity.factories import PatientFactory
from tests.personas import build_personas
from tests.pps.factories import seed_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    personas = build_personas()
    patient = PatientFactory(birth_name="PARCOURSTEST", first_given_name="ALICE")
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    seed_group()
    return personas, patient


def test_the_nurse_builds_shifts_and_validates_a_pps(page: Page, live_server, world):
    personas, _patient = world
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(personas["annonce_nurse"].email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="PPS").click()
    page.get_by_role("link", name=re.compile("PARCOURSTEST")).click()
    page.get_by_role("button", name="Nouveau PPS").click()
    expect(page.get_by_test_id("pps-status")).to_have_text("Brouillon")

    page.get_by_label("Groupement d'EDP").select_option(label="Chir sein + Hormono")
    page.get_by_label("Date de début", exact=True).fill("2024-06-29")
    page.get_by_role("button", name="Ajouter le groupement").click()

    calendar = page.get_by_test_id("pps-calendar")
    expect(calendar.locator('td[data-date="2024-07-02"]')).to_have_class(re.compile("edp-chirurgie"))
    expect(calendar.locator('td[data-date="2024-07-31"]')).to_have_class(re.compile("edp-hormonotherapie"))
    expect(calendar.get_by_role("rowheader", name="Juillet 2024")).to_be_visible()

    page.get_by_label("Début de « Chir sein + Hormono »").fill("2024-12-24")
    page.get_by_role("button", name=re.compile("Recalculer les dates")).click()

    expect(calendar.locator('td[data-date="2024-12-27"]')).to_have_class(re.compile("edp-chirurgie"))
    expect(calendar.locator('td[data-date="2024-07-02"]')).to_have_count(0)
    expect(calendar.get_by_role("rowheader", name="Janvier 2025")).to_be_visible()
    expect(page.get_by_test_id("pps-elements")).to_contain_text("28/01/2025")

    page.get_by_role("button", name="Valider le PPS").click()
    expect(page.get_by_label("Raison de la validation sans proposition de RCP")).to_be_visible()
    expect(page.locator("#validate .invalid-feedback, #validate .alert-danger")).to_contain_text("raison")
    page.get_by_label("Raison de la validation sans proposition de RCP").fill("RCP prévue la semaine prochaine")
    page.get_by_role("button", name="Valider le PPS").click()

    expect(page.get_by_test_id("pps-status")).to_have_text("Validé")
    expect(page.get_by_test_id("pps-transitions")).to_contain_text("RCP prévue la semaine prochaine")
