"""A doctor validates a fiche RCP, watches its document appear on the dossier page (polling), then opens the CDA
(readable) and the PDF from the patient record."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from interop.tasks import generate_document
from tests.accounts.factories import PASSWORD
from tests.personas import build_personas
from tests.rcp.fiche_documents import fiche_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, route_to_worker):
    from rcp.models import MentionCategory, SpecialtyTag
    from rcp.reference import ensure_reference_data

    # Route the pipeline's task to the test worker's queue (the real worker, the real broker).
    route_to_worker(generate_document)
    ensure_reference_data(MentionCategory, SpecialtyTag)
    personas = build_personas()
    return personas, fiche_world(personas, birth_name="FICHETEST")


def test_validating_a_fiche_files_its_frcp_in_the_record(page: Page, live_server, world):
    personas, case = world
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(personas["doctor"].email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(live_server.url + reverse("rcp:dossier", args=[case["dossier"].pk]))
    page.get_by_role("button", name="Valider et signer la fiche").click()
    documents = page.get_by_test_id("fiche-documents")
    expect(documents).to_contain_text("Version 1")
    expect(documents).to_contain_text("Document prêt", timeout=90_000)  # polled, no reload

    documents.get_by_role("link", name=re.compile("^Fiche RCP")).click()
    expect(page.get_by_role("heading", name="Contenu du document (CDA)")).to_be_visible()
    expect(page.get_by_role("heading", name="Proposition de la RCP")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sigmoïdectomie")

    pdf_url = page.get_by_role("link", name="Afficher le PDF").get_attribute("href")
    response = page.request.get(live_server.url + pdf_url)
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    page.goto(live_server.url + reverse("records:documents", args=[case["patient"].pk]))
    expect(page.get_by_role("table")).to_contain_text("Fiche RCP Tumeurs digestives")
