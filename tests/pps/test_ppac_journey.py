"""Browser: the annonce nurse creates a PPAC from a follow-up template, sees the calendar over years, validates."""

import re

import pytest
from playwright.sync_api import Page, expect

from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from tests.accounts.factories import PASSWORD
from tests.identity.factories import PatientFactory
from tests.personas import build_personas
from tests.pps.factories import breast_follow_up_template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    personas = build_personas()
    patient = PatientFactory(birth_name="APRESTEST", first_given_name="BRIGITTE")
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    breast_follow_up_template()
    return personas, patient


def test_the_nurse_creates_a_ppac_from_a_template_and_validates_it(page: Page, live_server, world):
    personas, _patient = world
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(personas["annonce_nurse"].email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="PPS").click()
    page.get_by_role("link", name=re.compile("^APRESTEST")).click()  # not the summary link beside it
    page.get_by_role("link", name="Programme de l'après-cancer (PPAC)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("après-cancer")

    page.get_by_label("Début du suivi (fin des traitements actifs)").fill("2025-01-06")
    page.get_by_label("Modèle de suivi").select_option(label="Sein — surveillance après traitement")
    page.get_by_role("button", name="Créer le PPAC").click()
    expect(page.get_by_test_id("ppac-status")).to_have_text("Brouillon")

    # the follow-up calendar runs over five years, one table per year
    for year in range(2025, 2031):
        expect(page.get_by_test_id(f"ppac-calendar-{year}")).to_be_visible()
    first_year = page.get_by_test_id("ppac-calendar-2025")
    expect(first_year.locator('td[data-date="2025-07-07"]')).to_have_class(re.compile("edp-consultation"))
    expect(first_year.get_by_role("rowheader", name="Juillet 2025")).to_be_visible()
    expect(page.get_by_test_id("ppac-calendar-2030").locator('td[data-date="2030-01-07"]')).to_have_count(1)
    follow_ups = page.get_by_test_id("ppac-follow-ups")
    expect(follow_ups).to_contain_text("Tous les 6 mois pendant 2 ans, puis tous les ans jusqu'à 5 ans")
    expect(follow_ups).to_contain_text("Médecin traitant")

    # a yearly blood test done by the GP, added by hand
    page.get_by_label("Type d'EDP").select_option(label="Examen")
    page.get_by_label("Libellé").fill("Bilan biologique")
    page.get_by_label("Rythme 1 : tous les (mois)").fill("12")
    page.get_by_label("Rythme 1 : jusqu'au mois").fill("36")
    page.get_by_label("Qui le fait").select_option(label="Médecin traitant")
    page.get_by_role("button", name="Ajouter le suivi").click()
    expect(follow_ups).to_contain_text("Bilan biologique")
    # 6 January 2028: the clinical exam, the mammography and the new blood test on the same day
    expect(page.get_by_test_id("ppac-calendar-2028").locator('td[data-date="2028-01-06"]')).to_have_attribute(
        "title", re.compile("Examen clinique, Mammographie bilatérale, Bilan biologique")
    )

    page.get_by_role("button", name="Valider le PPAC").click()
    expect(page.get_by_test_id("ppac-status")).to_have_text("Validé")
    expect(page.get_by_test_id("ppac-transitions")).to_contain_text("Validé")
    expect(page.get_by_role("button", name="Remis au patient")).to_be_visible()
