import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _views(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_view_of_the_project_is_exempt_from_csrf():
    exempt = [route for route, view in _views() if getattr(view, "csrf_exempt", False)]

    assert exempt == []


def test_pages_carry_the_security_headers(client, personas):
    client.force_login(personas["doctor"])

    response = client.get(reverse("home"))

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_session_and_csrf_cookies_are_http_only_and_same_site():
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")  # tests only: production is Argon2


FRENCH_HEADINGS = {
    "mfa_index": "Authentification à deux facteurs",
    "mfa_activate_totp": "Activer l'application d'authentification",
    "mfa_view_recovery_codes": "Codes de récupération",
    "account_change_password": "Modifier le mot de passe",
}


@pytest.mark.parametrize(
    "route", ["mfa_index", "mfa_activate_totp", "mfa_view_recovery_codes", "account_change_password"]
)
def test_one_time_code_and_password_pages_render_in_french(client, personas, route):
    doctor = personas["doctor"]
    if route != "mfa_activate_totp":
        TOTP.activate(doctor, generate_totp_secret())
        RecoveryCodes.activate(doctor)
    client.post(reverse("account_login"), {"login": doctor.email, "password": PASSWORD})
    if route != "mfa_activate_totp":
        client.force_login(doctor)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.get(reverse(route), follow=True)

    assert response.status_code == 200
    headings = [" ".join(text.split()) for text in re.findall(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)]
    assert headings == [FRENCH_HEADINGS[route]]


def test_with_psc_enabled_the_csp_lets_the_logout_form_redirect_to_psc():
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(settings.SECURE_CSP['form-action']))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dcc.settings.test",
        "DCC_PSC_ENABLED": "true",
        "DCC_PSC_ISSUER": "https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet",
    }
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.split()

    assert output == ["'self'", "https://auth.bas.psc.esante.gouv.fr"]
    assert settings.SECURE_CSP["form-action"] == ["'self'"]
