"""The annonce nurse validates a PPS, watches its document appear in the record, opens the CDA and the PDF."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from interop.tasks import generate_document
from tests.accounts.factories import PASSWORD
from tests.browser.axe import AxeAuditor, audit_now
from tests.personas import build_personas
from tests.pps.factories import PpsElementFactory, PpsFactory
from tests.records.documents_helpers import record_patient, store_frcp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, route_to_worker):
    # Route the pipeline's task to the test worker's queue (the real worker, the real broker).
    route_to_worker(generate_document)
    personas = build_personas()
    patient = record_patient(personas, birth_name="DOCUMENTTEST")
    store_frcp(patient)
    nurse = personas["annonce_nurse"]
    pps = PpsFactory(patient=patient, author=nurse, establishment=personas.hospital, three_c=personas.three_c)
    PpsElementFactory(
        pps=pps, kind="consultation", label="Consultation d'annonce", planned_date=datetime.date(2026, 12, 1)
    )
    PpsElementFactory(pps=pps, kind="soins_support", label="Diététicienne", planned_date=datetime.date(2026, 12, 3))
    return personas, patient, pps


def test_validating_a_pps_files_its_document_in_the_record(page: Page, live_server, world, axe: AxeAuditor):
    personas, patient, pps = world
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(personas["annonce_nurse"].email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(live_server.url + reverse("pps:detail", args=[pps.pk]))
    page.get_by_label("Raison de la validation sans proposition de RCP").fill("RCP prévue la semaine prochaine")
    page.get_by_role("button", name="Valider le PPS").click()
    expect(page.get_by_test_id("pps-status")).to_have_text("Validé")

    page.goto(live_server.url + reverse("records:documents", args=[patient.pk]))
    productions = page.locator("#productions")
    expect(productions).to_contain_text("Document prêt", timeout=90_000)
    # While htmx refreshes a fragment (every 2 s here) it keeps 4.5:1: dimmed, the green « Document prêt » badge
    # fell to about 3.5:1, and axe failed whenever its audit met a refresh in flight.
    productions.evaluate("element => element.classList.add('htmx-request')")
    page.wait_for_timeout(400)  # past any CSS transition of that state
    audit_now(page, axe)
    page.reload()
    page.get_by_role("table").get_by_role("link", name="PPS", exact=True).click()

    expect(page.get_by_role("heading", name="Contenu du document (CDA)")).to_be_visible()
    expect(page.get_by_role("heading", name="Programme thérapeutique et de suivi")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Diététicienne")

    pdf_url = page.get_by_role("link", name="Afficher le PDF").get_attribute("href")
    response = page.request.get(live_server.url + pdf_url)
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.body().startswith(b"%PDF-")
