"""A hospital record opens the DCC on a patient: the DPI simulator signs a link, which opens the patient's
record in another browser already logged in as the doctor; the same link cannot be used twice."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from interop.launch.keys import generate_key_pair
from interop.launch.models import SimulatorKey
from interop.launch.services import launch_key_add
from tests.accounts.factories import PASSWORD
from tests.identity.factories import LocalIdentifierFactory, PatientFactory
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class World:
    personas: object
    patient: object
    ipp: str
    simulator: SimulatorKey


@pytest.fixture
def world(transactional_db):
    """The test CHU with a demo key (private half for the simulator) and a patient of the CHU's DPI."""
    personas = build_personas()
    private_pem, public_pem = generate_key_pair()
    key = launch_key_add(establishment=personas.hospital, public_key_pem=public_pem, label="DPI de démonstration")
    simulator = SimulatorKey.objects.create(key=key, private_key_pem=private_pem)
    patient = PatientFactory(birth_name="LANCEMENT", first_given_name="ODILE")
    LocalIdentifierFactory(patient=patient, establishment=personas.hospital, value="IPP-NAV-0001")
    care_relationship_add(patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
                          establishment=personas.hospital)  # fmt: skip
    return World(personas=personas, patient=patient, ipp="IPP-NAV-0001", simulator=simulator)


def test_a_simulator_link_opens_the_patients_record_logged_in(page: Page, browser, live_server, world):
    doctor = world.personas["doctor"]

    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(world.personas["admin"].email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Simulateur DPI").click()

    expect(page.get_by_role("heading", name="Simulateur DPI (appel contextuel)")).to_be_visible()
    establishment = page.get_by_label("Établissement (DPI)")
    expect(establishment).to_contain_text(world.personas.hospital.name)
    establishment.select_option(value=str(world.simulator.pk))
    page.get_by_label("RPPS de l'utilisateur").fill(doctor.professional.rpps)
    page.get_by_label("IPP du patient dans cet établissement").fill(world.ipp)
    page.get_by_label("Dossier du patient").check()
    page.get_by_role("button", name="Produire le lien signé").click()
    link = page.get_by_test_id("launch-link").get_attribute("href")
    assert link.startswith(f"{live_server.url}/appel-contextuel/?jwt=")

    # The hospital's workstation: another browser, nobody logged in to the DCC.
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    hospital = context.new_page()
    try:
        hospital.goto(link)

        expect(hospital).to_have_url(f"{live_server.url}/patients/{world.patient.pk}/")
        expect(hospital.get_by_role("heading", level=1)).to_have_text(world.patient.display_name)
        expect(hospital.get_by_test_id("current-user")).to_have_text(doctor.display_name)
        expect(hospital.get_by_role("heading", name="Imagerie")).to_be_visible()

        hospital.goto(link)  # the same link again: single use
        expect(hospital.get_by_test_id("launch-refused")).to_contain_text("déjà été utilisé")
    finally:
        context.close()
