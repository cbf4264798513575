"""The GP journey: notified of his patient's RCP, he logs in, sees the patient, opens the dossier and
contributes; the 3C secretary sees the contribution on the dossier page."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from rcp.gp.models import GpContribution
from tests.accounts.factories import PASSWORD
from tests.identity.factories import PatientFactory
from tests.personas import build_personas
from tests.rcp.factories import RcpFactory, RcpMemberFactory, SessionFactory, register_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(transactional_db, settings):
    settings.DCC_OUTBOX_CHANNELS = {"mss": "tests.interop.outbox.recording_channel"}
    from rcp.models import MentionCategory, SpecialtyTag
    from rcp.reference import ensure_reference_data

    ensure_reference_data(MentionCategory, SpecialtyTag)
    personas = build_personas()
    rcp = RcpFactory(title="Tumeurs digestives", establishment=personas.hospital, video_link="https://visio.test/rcp")
    RcpMemberFactory(rcp=rcp, professional=personas["doctor"].professional)
    session = SessionFactory(rcp=rcp)
    patient = PatientFactory(birth_name="NOTIFIEGP", general_practitioner=personas["gp"].professional)
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    dossier = register_dossier(session, personas["doctor"], patient=patient, question="Chirurgie première ?")
    return personas, dossier


def login(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_the_notified_gp_contributes_and_the_rcp_reads_it(page: Page, browser, live_server, world, tmp_path):
    personas, dossier = world
    login(page, live_server.url, personas["gp"].email)
    page.goto(live_server.url + reverse("home"))
    block = page.get_by_test_id("gp-home-block")
    expect(block).to_contain_text("NOTIFIEGP")
    expect(block).to_contain_text("Tumeurs digestives")

    block.get_by_role("link", name="NOTIFIEGP", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("NOTIFIEGP")
    page.get_by_role("link", name="Contribuer à la RCP").click()
    expect(page.locator("main")).to_contain_text("Chirurgie première ?")
    expect(page.locator("main")).to_contain_text("https://visio.test/rcp")

    page.get_by_label("Votre message à la RCP").fill("Patiente très entourée, souhaite éviter une stomie. Bilan joint.")
    attachment = tmp_path / "bilan-cardio.pdf"
    attachment.write_bytes(PDF)
    page.get_by_label("Pièce jointe (facultative)").set_input_files(str(attachment))
    page.get_by_role("button", name="Transmettre à la RCP").click()
    expect(page.locator("main")).to_contain_text("Votre contribution a été transmise à la RCP.")
    assert GpContribution.objects.filter(dossier=dossier, attachment_name="bilan-cardio.pdf").exists()

    secretary = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    login(secretary, live_server.url, personas["secretary_3c"].email)
    secretary.goto(live_server.url + reverse("rcp:dossier", args=[dossier.pk]))
    contributions = secretary.get_by_test_id("gp-contributions")
    expect(contributions).to_contain_text("souhaite éviter une stomie")
    expect(contributions.get_by_role("link", name="bilan-cardio.pdf")).to_be_visible()
    expect(secretary.get_by_test_id("gp-notice")).to_contain_text("médecin traitant prévenu")
    secretary.context.close()
