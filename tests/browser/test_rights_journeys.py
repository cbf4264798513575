"""Login with a one-time code, with Pro Santé Connect, and support impersonation, in Chromium."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Page, expect

from tests.accounts.factories import PASSWORD, totp_codes
from tests.accounts.oidc_provider import LocalOidcProvider, configure
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_personas()


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_password_then_one_time_code(page: Page, live_server, world):
    doctor = world["doctor"]
    secret = generate_totp_secret()
    TOTP.activate(doctor, secret)

    log_in(page, live_server.url, doctor.email)
    expect(page.get_by_role("heading", name="Code à usage unique")).to_be_visible()
    _, wrong = totp_codes(secret)
    page.get_by_label("Code à usage unique").fill(wrong)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_test_id("otp-error")).to_contain_text("Code incorrect")

    code, _ = totp_codes(secret)  # the code of this 30 s window (allauth accepts no other), as the phone shows it
    page.get_by_label("Code à usage unique").fill(code)
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_text(doctor.display_name)


def test_pro_sante_connect_login_through_the_local_provider(page: Page, live_server, world, settings):
    doctor = world["doctor"]
    with LocalOidcProvider() as provider:
        configure(settings, provider)
        provider.professional(doctor.professional.rpps)

        page.goto(f"{live_server.url}/compte/login/")
        page.get_by_role("link", name="Se connecter avec Pro Santé Connect").click()

        expect(page.get_by_role("heading", name=re.compile("Bonjour"))).to_be_visible()
        expect(page.get_by_test_id("current-user")).to_have_text(doctor.display_name)
        assert any(path == "/auth" for path, _ in provider.requests)

        # Logging out of the DCC ends the PSC session too, then comes back to the login page.
        page.get_by_role("button", name="Se déconnecter").click()
        expect(page.get_by_role("heading", name="Connexion au DCC")).to_be_visible()
        assert len(provider.logouts) == 1


def test_impersonation_shows_a_banner_until_the_admin_comes_back(page: Page, live_server, world):
    log_in(page, live_server.url, world["admin"].email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Support").click()

    page.get_by_label("Adresse e-mail de l'utilisateur").fill(world["doctor"].email)
    page.get_by_label("Motif de l'intervention").fill("Ticket 4521 : affichage de la page d'accueil")
    page.get_by_role("button", name="Se connecter en tant que cet utilisateur").click()

    banner = page.get_by_test_id("impersonation-banner")
    expect(banner).to_contain_text(f"agit en tant que {world['doctor'].display_name}")
    expect(page.get_by_test_id("current-user")).to_have_text(world["doctor"].display_name)

    banner.get_by_role("button", name="Revenir à mon compte").click()

    expect(page.get_by_test_id("impersonation-banner")).to_have_count(0)
    expect(page.get_by_test_id("current-user")).to_have_text(world["admin"].display_name)
