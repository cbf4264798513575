"""A hospital doctor searches a patient, creates an identity past the duplicate warning, then
qualifies it with an identity document and the (local) INSi teleservice."""

import re

import pytest
from playwright.sync_api import Page, expect

from dcc.accounts.demo import DEMO_PASSWORD
from identity.enums import RnivStatus
from identity.models import Patient
from tests.identity.insi_fixtures import insi, insi_standin_url  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, url: str) -> None:
    page.goto(f"{url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill("medecin@demo.dcc.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()


def _fill_identity(page: Page, *, birth_name: str) -> None:
    page.get_by_label("Nom de naissance", exact=True).fill(birth_name)
    page.get_by_label("Premier prénom de naissance").fill("Odile")
    page.get_by_label("Prénoms de naissance").fill("Odile")
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Date de naissance", exact=True).fill("1966-06-27")
    page.get_by_label("Lieu de naissance").fill("16015")


@pytest.mark.usefixtures("insi")
def test_search_create_with_duplicate_warning_and_qualify_via_insi(page: Page, live_server, demo):
    _login(page, live_server.url)

    # Search: accents and case do not matter; a demo patient of the CHU opens.
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Patients").click()
    page.get_by_label("Nom, prénom").fill("cornébis")
    page.get_by_role("button", name="Rechercher").click()
    results = page.locator("#patient-results")
    expect(results).to_contain_text("CORNEBIS HELENE")

    # Create a new identity: no close identity, saved at once (provisional).
    page.get_by_role("link", name="Créer une identité").click()
    _fill_identity(page, birth_name="Broussaud")
    page.get_by_role("button", name="Enregistrer l'identité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BROUSSAUD ODILE")
    expect(page.locator(".rniv-badge").first).to_have_text("Identité provisoire")
    kept_url = page.url

    # A second, close identity: the duplicate warning comes first, nothing is saved until confirmed.
    page.goto(f"{live_server.url}/patients/nouveau/")
    _fill_identity(page, birth_name="Brousseau")
    page.get_by_role("button", name="Enregistrer l'identité").click()
    warning = page.get_by_role("region", name="Doublons possibles")
    expect(warning).to_contain_text("BROUSSAUD ODILE")
    assert not Patient.objects.filter(birth_name="BROUSSEAU").exists()
    page.get_by_label("J'ai vérifié").check()
    page.get_by_role("button", name="Enregistrer l'identité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BROUSSEAU ODILE")

    # Qualify the first one: identity card seen, then INSi, compare, accept.
    page.goto(kept_url)
    page.get_by_label("Justificatif d'identité vu").select_option("cni")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".rniv-badge").first).to_have_text("Identité validée")
    page.get_by_role("button", name="Interroger INSi (traits)").click()
    comparison = page.get_by_role("table", name="Traits enregistrés et traits renvoyés par INSi")
    expect(comparison).to_contain_text("Identique")
    page.get_by_role("button", name="Accepter l'identité INSi").click()
    expect(page.locator(".rniv-badge").first).to_have_text("Identité qualifiée")
    expect(page.locator("#ins-matricule")).to_have_text(re.compile(r"^2660616015\d{5}$"))
    patient = Patient.objects.get(birth_name="BROUSSAUD")
    assert patient.rniv_status == RnivStatus.QUALIFIEE
    expect(page.locator("#identity-history")).to_contain_text("Résultat INSi accepté")
