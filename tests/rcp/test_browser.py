"""Browser journey: a 3C secretary creates an RCP with tags and a session, then finds it with the finder."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dcc.accounts.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_creates_an_rcp_with_tags_and_a_session_then_finds_it(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill("secretaire.3c@demo.dcc.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="RCP").click()
    expect(page.get_by_role("heading", name="Catalogue des RCP")).to_be_visible()
    page.get_by_role("link", name="Nouvelle RCP").click()

    page.get_by_label("Intitulé").fill("Tumeurs neuro-endocrines digestives")
    page.get_by_label("3C").select_option(label="3C Vienne, Nord Deux-Sèvres")
    page.get_by_label("Établissement organisateur").select_option(label="CHU LA MILETRIE - POITIERS")
    page.get_by_label("Appareil / organe ou thème").fill("digestif")
    page.get_by_label("RCP de recours").check()
    page.get_by_label("A1 - Standard viscérale et digestive").check()
    page.get_by_label("CRSC - Recours régional compétence rare / situation complexe").check()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", name="Tumeurs neuro-endocrines digestives", exact=True)).to_be_visible()
    expect(page.get_by_text("(CHU LA MILETRIE - POITIERS - Poitiers) - (A1, CRSC)")).to_be_visible()

    page.get_by_role("link", name="Séance supplémentaire").click()
    day = timezone.localdate() + datetime.timedelta(days=9)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Heure de début").fill("18:00")
    page.get_by_role("button", name="Enregistrer la séance").click()
    expect(page.get_by_test_id("session-status")).to_contain_text("Planifiée")
    expect(page.get_by_test_id("session-status")).to_contain_text("séance supplémentaire")

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="RCP").click()
    page.get_by_label("Typage des RCP").select_option(
        label="CRSC - Recours régional compétence rare / situation complexe"
    )
    page.get_by_label("Intitulé de la RCP").fill("neuro endoc")
    results = page.get_by_test_id("rcp-results")
    expect(results.get_by_role("listitem").first).to_contain_text(
        "Tumeurs neuro-endocrines digestives (CHU LA MILETRIE - POITIERS - Poitiers) - (A1, CRSC)"
    )
    expect(page).to_have_url(re.compile(r"q=neuro(\+|%20)endoc"))
    results.get_by_role("link", name=re.compile("Tumeurs neuro-endocrines")).click()
    expect(page.get_by_role("link", name=re.compile(day.strftime("%Y")))).to_have_count(1)


def test_secretary_takes_attendance_and_sees_the_quorum_then_the_agenda(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill("secretaire.3c@demo.dcc.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()

    page.goto(f"{live_server.url}/rcp/?q=tumeurs+digestives")
    page.get_by_role("link", name=re.compile(r"Tumeurs digestives \(CHU LA MILETRIE")).click()
    page.get_by_role("region", name="Prochaines séances").get_by_role("list").first.get_by_role("link").first.click()
    expect(page.get_by_test_id("session-status")).to_contain_text("Planifiée")
    page.get_by_role("button", name="Ouvrir la séance").click()
    page.wait_for_load_state("load")
    if page.get_by_test_id("open-early-warning").count():  # the next session may be days ahead: confirm
        page.get_by_role("button", name="Ouvrir quand même la séance").click()
    expect(page.get_by_test_id("session-status")).to_contain_text("Ouverte")
    expect(page.get_by_test_id("session-quorum")).to_contain_text("Quorum non atteint : 0 spécialité")

    page.get_by_role("link", name="Feuille de présence").click()
    selects = page.locator("select[name^=presence-]")
    for index in range(selects.count()):
        selects.nth(index).select_option(label="Présent en salle" if index % 2 == 0 else "Présent en visioconférence")
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_role("status").filter(has_text="Feuille de présence")).to_contain_text(
        "Feuille de présence enregistrée"
    )
    expect(page.get_by_test_id("session-quorum")).to_contain_text("Quorum")
    expect(page.get_by_role("table", name="Présences à la séance")).to_contain_text("Présent en visioconférence")
    page.get_by_role("button", name="Clôturer la séance").click()
    expect(page.get_by_test_id("session-status")).to_contain_text("Clôturée")

    page.goto(f"{live_server.url}/rcp/agenda/?vue=semaine")
    expect(page.get_by_test_id("agenda-week")).to_be_visible()
    page.get_by_role("link", name="Mois").click()
    expect(page.get_by_test_id("agenda-month")).to_contain_text("Tumeurs digestives")
