"""Pro Santé Connect, end to end against the local OIDC provider over real HTTP (no mock)."""

import html
import time
import urllib.parse
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dcc.accounts.enums import AccountEventKind, Profile
from dcc.accounts.models import AccountEvent, User
from dcc.records.models import AccessTrail
from tests.accounts.oidc_provider import follow_authorization
from tests.directory.factories import PlaceOfPracticeFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def psc_login(client, next_url=""):
    """Login button → provider (real HTTP) → back to the DCC's callback; returns the callback's response."""
    start = client.get(reverse("accounts:psc_login") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start
    callback = follow_authorization(start["Location"])
    assert callback.startswith("http://testserver/"), callback
    return client.get(callback.removeprefix("http://testserver"))


def refused_with(client, response, message):
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert message in page, page
    assert "_auth_user_id" not in client.session
    return AccessTrail.objects.filter(action="login_failed").latest("id")


def test_a_known_professional_logs_in_with_psc_conventions(client, personas, psc_provider):
    doctor = personas["doctor"]
    psc_provider.professional(doctor.professional.rpps)

    response = psc_login(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(doctor.pk)
    assert client.session["dcc_connection_method"] == "psc"
    assert AccessTrail.objects.get(action="login").connection_method == "psc"
    paths = [path for path, _ in psc_provider.requests]
    assert "/auth/realms/esante-wallet/.well-known/wallet-openid-configuration" in paths
    authorize = next(query for path, query in psc_provider.requests if path == "/auth")
    assert (authorize["acr_values"], authorize["scope"]) == ("eidas1", "openid scope_all")
    assert authorize["nonce"] and authorize["state"]


def test_psc_counts_as_strong_authentication(client, personas, psc_provider):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    doctor = personas["doctor"]
    TOTP.activate(doctor, generate_totp_secret())
    User.objects.filter(pk=doctor.pk).update(mfa_grace_until=timezone.now() - timedelta(days=1))
    psc_provider.professional(doctor.professional.rpps)

    psc_login(client)

    assert client.get(reverse("home")).status_code == 200  # no one-time code asked


def test_a_json_userinfo_works_too(client, personas, psc_provider):
    psc_provider.userinfo_as_jwt = False
    psc_provider.professional(personas["gp"].professional.rpps)

    psc_login(client, next_url="/annuaire/")

    assert client.session["_auth_user_id"] == str(personas["gp"].pk)


def test_next_is_honoured_inside_the_site_only(client, personas, psc_provider):
    psc_provider.professional(personas["gp"].professional.rpps)

    assert psc_login(client, next_url="/annuaire/")["Location"] == "/annuaire/"
    client.logout()
    assert psc_login(client, next_url="https://evil.example/")["Location"] == reverse("home")


def test_an_id_token_without_eidas1_is_refused(client, personas, psc_provider):
    psc_provider.professional(personas["doctor"].professional.rpps)
    psc_provider.acr = "eidas0"

    line = refused_with(client, psc_login(client), "niveau de sécurité requis")

    assert "eidas0" in line.detail


def test_an_expired_state_is_refused(client, personas, psc_provider, settings):
    psc_provider.professional(personas["doctor"].professional.rpps)
    start = client.get(reverse("accounts:psc_login"))
    session = client.session
    session["dcc_psc_pending"]["at"] = time.time() - settings.DCC_PSC_STATE_MAX_SECONDS - 1
    session.save()
    callback = follow_authorization(start["Location"])

    line = refused_with(client, client.get(callback.removeprefix("http://testserver")), "a expiré")

    assert "state expiré" in line.detail


def test_a_replayed_callback_is_refused(client, personas, psc_provider):
    psc_provider.professional(personas["doctor"].professional.rpps)
    start = client.get(reverse("accounts:psc_login"))
    callback = follow_authorization(start["Location"]).removeprefix("http://testserver")
    client.get(callback)
    client.post(reverse("account_logout"))

    refused_with(client, client.get(callback), "n'est pas valide")


def test_a_wrong_nonce_is_refused(client, personas, psc_provider):
    psc_provider.professional(personas["doctor"].professional.rpps)
    psc_provider.id_token_overrides = {"nonce": "un-autre-nonce"}

    line = refused_with(client, psc_login(client), "n'est pas valide")

    assert "nonce" in line.detail


def test_a_forged_signature_is_refused(client, personas, psc_provider):
    psc_provider.professional(personas["doctor"].professional.rpps)
    psc_provider.forge_signature = True

    line = refused_with(client, psc_login(client), "la réponse reçue n'est pas valide")

    assert "signature invalide" in line.detail


def test_another_audience_is_refused(client, personas, psc_provider):
    psc_provider.professional(personas["doctor"].professional.rpps)
    psc_provider.id_token_overrides = {"aud": "another-client"}

    line = refused_with(client, psc_login(client), "la réponse reçue n'est pas valide")

    assert "audience" in line.detail


def test_an_unknown_rpps_is_refused(client, personas, psc_provider):
    psc_provider.professional("10999999999")

    line = refused_with(client, psc_login(client), "ne figure pas dans l'annuaire régional")

    assert "10999999999" in line.detail
    assert not User.objects.filter(email__contains="10999999999").exists()


def test_a_deactivated_account_is_refused(client, personas, psc_provider):
    doctor = personas["doctor"]
    User.objects.filter(pk=doctor.pk).update(is_active=False)
    psc_provider.professional(doctor.professional.rpps)

    line = refused_with(client, psc_login(client), "désactivé ou expiré")

    assert line.user_id == doctor.pk


def test_a_directory_doctor_without_an_account_is_provisioned(client, personas, psc_provider):
    place = PlaceOfPracticeFactory(establishment=personas.hospital)
    professional = place.professional
    psc_provider.professional(professional.rpps)

    psc_login(client)

    user = User.objects.get(professional=professional)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not user.has_usable_password()
    assert [grant.profile for grant in user.profile_grants.all()] == [Profile.MEDECIN]
    assert list(user.profile_grants.get().establishments.all()) == [personas.hospital]
    assert AccountEvent.objects.filter(user=user, kind=AccountEventKind.PSC_PROVISIONED).exists()

    client.logout()
    psc_login(client)
    assert User.objects.filter(professional=professional).count() == 1


def test_a_nurse_is_provisioned_without_a_profile(client, personas, psc_provider):
    nurse = ProfessionalFactory(nurse=True)
    psc_provider.professional(nurse.rpps)

    psc_login(client)

    assert not User.objects.get(professional=nurse).profile_grants.exists()


def test_an_unreachable_provider_gets_a_french_message(client, settings):
    settings.DCC_PSC_ENABLED = True
    settings.DCC_PSC_ISSUER = "http://127.0.0.1:9/auth/realms/esante-wallet"

    response = client.get(reverse("accounts:psc_login"))

    refused_with(client, response, "momentanément indisponible")


def test_a_provider_error_is_traced(client, personas, psc_provider):
    client.get(reverse("accounts:psc_login"))

    response = client.get(reverse("accounts:psc_callback"), {"error": "access_denied"})

    line = refused_with(client, response, "interrompue")
    assert "access_denied" in line.detail


def test_psc_pages_do_not_exist_when_psc_is_off(client, settings):
    settings.DCC_PSC_ENABLED = False

    assert client.get(reverse("accounts:psc_login")).status_code == 404
    assert client.get(reverse("accounts:psc_callback")).status_code == 404


def test_the_login_page_offers_psc_when_enabled(client, psc_provider):
    content = client.get(reverse("account_login") + "?next=/annuaire/").content.decode()

    assert "Se connecter avec Pro Santé Connect" in content
    assert reverse("accounts:psc_login") + "?next=/annuaire/" in content


@pytest.mark.parametrize("value", ["812345678901", "12345678901"])
def test_rpps_comes_from_the_national_id(value):
    from dcc.accounts.psc import rpps_from

    assert rpps_from({"SubjectNameID": value}) == value[-11:]
    assert rpps_from({"SubjectNameID": "ANS20230001"}) == ""


def test_the_psc_entry_point_is_open_to_everyone_and_sends_to_the_provider(client, personas, psc_provider):
    for name, user in personas.users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(reverse("accounts:psc_login"))
        assert response.status_code == 302, name
        assert response["Location"].startswith(psc_provider.base_url + "/auth?"), name


def test_logging_out_ends_the_psc_session_too(client, personas, psc_provider):
    psc_provider.professional(personas["doctor"].professional.rpps)
    psc_login(client)
    id_token = client.session["dcc_psc_id_token"]

    response = client.post(reverse("account_logout"))

    assert "_auth_user_id" not in client.session
    location = response["Location"]
    assert location.startswith(psc_provider.issuer + "/protocol/openid-connect/logout?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver" + reverse("account_login")
    assert follow_authorization(location).startswith("http://testserver" + reverse("account_login"))
    assert psc_provider.logouts


def test_a_password_logout_stays_in_the_dcc(client, personas):
    client.force_login(personas["doctor"])

    assert client.post(reverse("account_logout"))["Location"] == reverse("account_login")


def test_an_account_with_the_directory_email_is_linked_not_duplicated(client, personas, psc_provider):
    professional = ProfessionalFactory(email="camille.lien@chu.test")
    existing = User.objects.create_user(email="camille.lien@chu.test", password=None)
    psc_provider.professional(professional.rpps)

    psc_login(client)

    existing.refresh_from_db()
    assert existing.professional == professional
    assert client.session["_auth_user_id"] == str(existing.pk)
    assert AccountEvent.objects.filter(user=existing, kind=AccountEventKind.PSC_LINKED).exists()
