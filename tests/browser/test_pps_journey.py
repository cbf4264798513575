"""The annonce nurse builds a PPS from a groupement, shifts its start, sees the calendar move, validates, and opens
the PDF the real worker produced from it."""

import re

import pytest
from playwright.sync_api import Page, expect

from interop.tasks import generate_document
from tests.accounts.factories import PASSWORD
from tests.personas import build_personas
from tests.pps.factories import seed_group
from tests.pps.fiches import validated_fiche
from tests.records.documents_helpers import record_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, route_to_worker):
    # The document of the validated PPS is produced by the real worker, on the real broker.
    route_to_worker(generate_document)
    personas = build_personas()
    patient = record_patient(personas, birth_name="PARCOURSTEST", first_given_name="ALICE")
    validated_fiche(patient, establishment=personas.hospital, by=personas["doctor"])
    seed_group()
    return personas, patient


def test_the_nurse_builds_shifts_and_validates_a_pps(page: Page, live_server, world):
    personas, _patient = world
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(personas["annonce_nurse"].email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="PPS").click()
    page.get_by_role("link", name=re.compile("^PARCOURSTEST")).click()  # not the summary link beside it
    page.get_by_role("button", name="Nouveau PPS").click()
    expect(page.get_by_test_id("pps-status")).to_have_text("Brouillon")
    # The new PPS follows the patient's last validated fiche RCP.
    expect(page.get_by_test_id("pps-last-rcp")).to_have_text(
        "Dernière RCP : 20/11/2026 (3C Vienne (test)) — RCP Tumeurs digestives ; Proposition : "
        "Intervention chirurgicale (Sigmoïdectomie). Chirurgie première puis avis oncologique."
    )

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

    # Without the RCP proposition, validation asks for a reason; following it again, none is needed.
    page.get_by_label("Fiche RCP dont le PPS suit la proposition").select_option(
        label="Aucune (PPS sans proposition de RCP)"
    )
    page.get_by_role("button", name="Suivre cette proposition").click()
    page.get_by_role("button", name="Valider le PPS").click()
    expect(page.locator("#validate .invalid-feedback, #validate .alert-danger")).to_contain_text("raison")
    page.get_by_label("Fiche RCP dont le PPS suit la proposition").select_option(index=1)
    page.get_by_role("button", name="Suivre cette proposition").click()
    expect(page.get_by_test_id("pps-last-rcp")).to_contain_text("Dernière RCP : 20/11/2026")
    expect(page.get_by_label("Raison de la validation sans proposition de RCP")).to_have_count(0)
    page.get_by_role("button", name="Valider le PPS").click()

    expect(page.get_by_test_id("pps-status")).to_have_text("Validé")
    document = page.get_by_test_id("programme-document")
    expect(document).to_contain_text("Document prêt", timeout=90_000)
    pdf_link = document.get_by_role("link", name=re.compile("Afficher le PDF"))
    response = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
