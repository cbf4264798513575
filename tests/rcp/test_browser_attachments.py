"""Browser journey: a doctor registers a patient with a report of the record attached, then opens it from the
dossier page and reaches the patient's record."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dcc.accounts.demo import DEMO_PASSWORD
from dcc.accounts.models import User
from dcc.records import documents_services
from dcc.records.enums import DocumentOrigin
from identity.selectors import visible_patients
from rcp.enums import SessionStatus
from rcp.models import Dossier, Rcp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_doctor_attaches_a_report_of_the_record_and_opens_it_from_the_dossier(page: Page, live_server, demo):
    rcp = Rcp.objects.get(title="Tumeurs digestives", establishment__name="CHU LA MILETRIE - POITIERS")
    doctor = User.objects.get(email="medecin@demo.dcc.test")
    sessions = rcp.sessions.filter(status=SessionStatus.PLANNED, starts_at__gt=timezone.now()).order_by("starts_at")
    session = next(s for s in sessions if timezone.localdate() <= s.registration_deadline)
    patient = visible_patients(doctor).exclude(rcp_dossiers__session=session).order_by("pk").first()
    report = documents_services.document_store(
        patient=patient,
        type_code="11526-1",
        title="Biopsie sigmoïdienne",
        origin=DocumentOrigin.MIGRATION,
        act_date=timezone.now() - datetime.timedelta(days=8),
        pdf=b"%PDF-1.4 demo",
    )

    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(doctor.email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
    page.goto(f"{live_server.url}/rcp/seances/{session.pk}/inscrire/?patient={patient.pk}")
    page.get_by_label("Motif de la demande").select_option(label="Première présentation")
    page.get_by_label("Question posée à la RCP").fill("Chirurgie d'emblée ?")
    page.get_by_label(re.compile("Biopsie sigmoïdienne")).check()
    page.get_by_role("button", name="Inscrire le patient").click()

    expect(page.get_by_test_id("dossier-status")).to_contain_text("Inscrit")
    attachments = page.get_by_test_id("dossier-attachments")
    expect(attachments).to_contain_text("Biopsie sigmoïdienne")
    assert list(Dossier.objects.get(session=session, patient=patient).attachments.all()) == [report]
    attachments.get_by_role("link", name=re.compile("Biopsie sigmoïdienne")).click()
    expect(page.get_by_role("heading", name="Biopsie sigmoïdienne", level=1)).to_be_visible()
    page.go_back()
    page.get_by_test_id("record-link").click()
    expect(page.get_by_role("heading", name="Documents du dossier", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Biopsie sigmoïdienne")
