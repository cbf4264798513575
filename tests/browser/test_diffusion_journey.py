"""The « Diffusion » block in the browser: a doctor validates a fiche RCP; once its FRCP is filed (by the test
Celery worker) the block lists the GP's send « En attente »; the send goes through the local MSSanté operator (real
SMTP with STARTTLS, then its delivery report read over IMAP) and the block, polling, shows it « Délivré »."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from interop.mss.poller import poll
from interop.outbox.enums import OutboxState
from interop.outbox.models import OutboxMessage
from interop.outbox.tasks import outbox_deliver
from interop.tasks import generate_document
from tests.accounts.factories import PASSWORD
from tests.interop.mss.conftest import mss, mss_operator  # noqa: F401 (the local operator's fixtures)
from tests.personas import build_personas
from tests.rcp.fiche_documents import fiche_world
from tests.records.documents_helpers import record_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

GP_ADDRESS = "dr.traitant.diffusion@pro.mssante.demo.test"  # the local operator delivers *@pro.mssante.demo.test


@pytest.fixture
def world(transactional_db, route_to_worker, mss):  # noqa: F811 (fixture imported above)
    from rcp.models import MentionCategory, SpecialtyTag
    from rcp.reference import ensure_reference_data

    route_to_worker(generate_document)  # the FRCP is produced by the real worker, as in production
    ensure_reference_data(MentionCategory, SpecialtyTag)
    personas = build_personas()
    gp = personas["gp"].professional
    gp.mss_address = GP_ADDRESS
    gp.save(update_fields=["mss_address"])
    patient = record_patient(personas, birth_name="DIFFUSION", general_practitioner=gp)
    return personas, fiche_world(personas, patient=patient)


def test_a_validated_fiche_shows_its_send_to_the_gp_from_queued_to_delivered(page: Page, live_server, world, mss):  # noqa: F811
    personas, case = world
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(personas["doctor"].email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(live_server.url + reverse("rcp:dossier", args=[case["dossier"].pk]))
    page.get_by_role("button", name="Valider et signer la fiche").click()
    documents = page.get_by_test_id("fiche-documents")
    expect(documents).to_contain_text("Document prêt", timeout=180_000)  # the worker filed the FRCP

    page.reload()  # the block of the filed document
    diffusion = page.get_by_test_id("diffusion")
    expect(diffusion.get_by_role("heading", name="Diffusion (MSSanté)")).to_be_visible()
    gp_row = diffusion.get_by_test_id("diffusion-row").filter(has_text=GP_ADDRESS)
    expect(gp_row).to_have_attribute("data-state", OutboxState.PENDING)
    expect(gp_row).to_contain_text("En attente")

    # The outbox task, run here against the local operator (the test worker has not its settings), then the
    # poller reads the operator's delivery report (DSN) from the DCC's mailbox.
    message = OutboxMessage.objects.get(recipient_address=GP_ADDRESS, document__isnull=False)
    assert outbox_deliver(message.pk) == OutboxState.SENT
    assert len(mss.wait_for(GP_ADDRESS, 1)) == 1
    for _ in range(20):
        poll()
        message.refresh_from_db()
        if message.state == OutboxState.DELIVERED:
            break
    assert message.state == OutboxState.DELIVERED, message.last_detail

    # No reload: the block polls while a recent send is not final.
    expect(gp_row).to_have_attribute("data-state", OutboxState.DELIVERED, timeout=15_000)
    expect(gp_row).to_contain_text("Délivré")
    gp_row.locator("summary").click()
    expect(gp_row.locator("ol")).to_contain_text("Envoyé")
    expect(gp_row.locator("ol")).to_contain_text("Délivré")
