"""The first thing every user does: log in and see their home page."""

import re

import pytest
from playwright.sync_api import Page, expect

from dcc.accounts.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_3c_secretary_logs_in_and_sees_her_home(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/")

    expect(page).to_have_url(re.compile(r"/compte/login/"))
    expect(page.get_by_role("heading", name="Connexion au DCC")).to_be_visible()
    page.get_by_label("Adresse e-mail").fill("secretaire.3c@demo.dcc.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
    expect(page.get_by_test_id("profile-badge")).to_have_text("Secrétaire 3C")
    expect(page.get_by_role("navigation", name="Navigation principale")).to_contain_text("Annuaire")
    expect(page.get_by_role("link", name="3C Vienne, Nord Deux-Sèvres")).to_be_visible()


def test_wrong_password_shows_a_french_error(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill("secretaire.3c@demo.dcc.test")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_test_id("login-error")).to_contain_text("mot de passe")


def test_skip_link_is_the_first_keyboard_stop(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/compte/login/")
    page.keyboard.press("Tab")

    focused = page.locator(":focus")
    expect(focused).to_have_text("Aller au contenu principal")
