"""Browser journeys: a doctor registers a patient and fills the fiche; the live session goes
through three dossiers and closes; a validator signs afterwards."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dcc.accounts.demo import DEMO_PASSWORD
from dcc.accounts.models import User
from identity.selectors import visible_patients
from rcp.enums import AttendanceMode, DossierMotive, DossierStatus, SessionStatus
from rcp.models import Dossier, Rcp
from rcp.services.agenda import attendance_record, session_open
from rcp.services.dossiers import dossier_register
from rcp.services.fiches import fiche_save
from tests.rcp.factories import FILLED_FICHE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(demo):
    rcp = Rcp.objects.get(title="Tumeurs digestives", establishment__name="CHU LA MILETRIE - POITIERS")
    doctor = User.objects.get(email="medecin@demo.dcc.test")
    secretary = User.objects.get(email="secretaire.3c@demo.dcc.test")
    sessions = rcp.sessions.filter(status=SessionStatus.PLANNED, starts_at__gt=timezone.now()).order_by("starts_at")
    session = next(s for s in sessions if timezone.localdate() <= s.registration_deadline)
    return {"rcp": rcp, "doctor": doctor, "secretary": secretary, "session": session}


def _login(page: Page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()


def test_doctor_registers_a_patient_and_fills_the_fiche(page: Page, live_server, demo):
    session, doctor = demo["session"], demo["doctor"]
    patient = visible_patients(doctor).exclude(rcp_dossiers__session=session).order_by("pk").first()
    _login(page, live_server, doctor.email)
    page.goto(f"{live_server.url}/rcp/seances/{session.pk}/")
    page.get_by_role("link", name="Inscrire un patient").click()
    page.get_by_label("Nom du patient").fill(patient.birth_name)
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("row", name=re.compile(patient.birth_name)).get_by_role("link", name="Choisir").first.click()
    page.get_by_label("Motif de la demande").select_option(label="Première présentation")
    page.get_by_label("Question posée à la RCP").fill("Chirurgie d'emblée ?")
    page.get_by_role("button", name="Inscrire le patient").click()
    expect(page.get_by_test_id("dossier-status")).to_contain_text("Inscrit")

    page.get_by_role("link", name="Remplir la fiche RCP").click()
    page.get_by_label("Date du diagnostic").fill("2026-09-01")
    page.get_by_label("Topographie CIM-10 (code)").fill("C18.7")
    page.get_by_label("Morphologie CIM-O-3 (code)").fill("8140/3")
    page.get_by_label("Résumé du cas").fill("Adénocarcinome sigmoïdien, bilan d'extension négatif.")
    page.get_by_label("Option 1 : type de traitement").select_option(label="intervention chirurgicale (387713003)")
    page.get_by_label("Proposition conforme au référentiel").select_option(label="Oui")
    page.get_by_label("Référentiel", exact=True).fill("TNCD côlon")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_test_id("proposition")).to_contain_text("intervention chirurgicale")
    dossier = Dossier.objects.get(session=session, patient=patient)
    assert dossier.fiche.topography_code == "C18.7" and dossier.fiche.revision == 2


def test_live_session_through_three_dossiers_then_a_validator_signs(page: Page, live_server, demo):
    session, doctor, secretary = demo["session"], demo["doctor"], demo["secretary"]
    patients = list(visible_patients(doctor).exclude(rcp_dossiers__session=session).order_by("pk")[:3])
    for patient in patients:
        dossier_register(
            session=session,
            patient=patient,
            requesting_doctor=doctor.professional,
            motive=DossierMotive.FIRST,
            question="Stratégie ?",
            by=doctor,
        )
    session_open(session=session)
    others = [m.professional_id for m in demo["rcp"].members.exclude(professional=doctor.professional)]
    attendance_record(
        session=session, entries={doctor.professional_id: AttendanceMode.ROOM, **dict.fromkeys(others, "salle")}
    )
    ordered = list(session.dossiers.order_by("position", "pk"))
    fiche_save(fiche=ordered[-1].fiche, data=FILLED_FICHE, expected_revision=None, by=doctor)

    _login(page, live_server, secretary.email)
    page.goto(f"{live_server.url}/rcp/seances/{session.pk}/")
    page.get_by_role("link", name="Conduire la séance en direct").click()
    expect(page.get_by_text("Raccourcis clavier")).to_be_visible()
    for dossier in ordered:
        # Each "next" reloads the page: press only once its shortcut script is attached.
        page.wait_for_selector("html[data-live-shortcuts=ready]", state="attached")
        page.keyboard.press("n")  # the documented shortcut for "next"
        expect(page.get_by_test_id("live-current")).to_contain_text(dossier.patient.display_name)
    page.get_by_role("button", name="← Précédent").click()
    expect(page.get_by_test_id("live-current")).to_contain_text(ordered[-2].patient.display_name)
    page.get_by_label("Traitement proposé (option 1)").select_option(label="chimiothérapie (C15632)")
    page.get_by_role("button", name="Enregistrer la proposition").click()
    expect(page.get_by_role("status").filter(has_text="Proposition enregistrée")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())  # closing asks for a confirmation
    page.get_by_role("button", name="Clôturer la séance").click()
    expect(page.get_by_test_id("session-status")).to_contain_text("Clôturée")
    expect(page.get_by_test_id("session-dossiers")).to_contain_text("fiche non validée")

    page.context.clear_cookies()
    _login(page, live_server, doctor.email)
    page.goto(f"{live_server.url}/rcp/dossiers/{ordered[-1].pk}/")
    page.get_by_role("button", name="Valider et signer la fiche").click()
    expect(page.get_by_test_id("signature")).to_contain_text("Signée par")
    ordered[-1].refresh_from_db()
    assert ordered[-1].status == DossierStatus.VALIDATED
