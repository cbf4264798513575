import html
import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dcc.records.models import AccessTrail
from tests.accounts.factories import PASSWORD, totp_codes

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    return totp_codes(secret)[0]


@pytest.fixture
def doctor_with_totp(personas):
    secret = generate_totp_secret()
    TOTP.activate(personas["doctor"], secret)
    return personas["doctor"], secret


def login(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR="203.0.113.5")


def test_a_password_login_is_recorded_as_such_in_the_session_and_the_trail(client, personas):
    login(client, "secmed@test.dcc")

    assert client.session["dcc_connection_method"] == "password"
    line = AccessTrail.objects.get(action="login")
    assert (line.user_id, line.connection_method, line.ip_address) == (
        personas["medical_secretary"].pk,
        "password",
        "203.0.113.5",
    )


def test_password_then_one_time_code(client, doctor_with_totp):
    doctor, secret = doctor_with_totp

    response = login(client, doctor.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert 'for="id_code"' in page

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert client.session["_auth_user_id"] == str(doctor.pk)
    assert client.session["dcc_connection_method"] == "otp"
    assert AccessTrail.objects.get(action="login").connection_method == "otp"


def test_a_wrong_one_time_code_gets_a_french_message_a_trail_line_and_no_access(client, doctor_with_totp):
    doctor, secret = doctor_with_totp
    login(client, doctor.email)
    wrong = totp_codes(secret)[1]

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert "Code incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session
    line = AccessTrail.objects.get(action="login_failed")
    assert doctor.email in line.detail


def test_a_replayed_one_time_code_is_refused(client, doctor_with_totp):
    doctor, secret = doctor_with_totp
    code = current_code(secret)
    login(client, doctor.email)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session["_auth_user_id"] == str(doctor.pk)
    client.post(reverse("account_logout"))

    login(client, doctor.email)
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert "Code incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessTrail.objects.filter(action="login_failed").count() == 1


def test_failed_password_logins_are_traced_without_the_password(client, personas):
    login(client, "doctor@test.dcc", "mauvais-mot-de-passe")

    line = AccessTrail.objects.get(action="login_failed")
    assert line.user_id == personas["doctor"].pk  # the account tried, not an empty user
    assert "doctor@test.dcc" in line.detail
    assert "mauvais" not in line.detail


def test_the_account_is_locked_after_five_failures_even_with_the_right_password(client, personas):
    for _ in range(5):
        login(client, "doctor@test.dcc", "mauvais-mot-de-passe")

    response = login(client, "doctor@test.dcc")

    assert "_auth_user_id" not in client.session
    text = html.unescape(response.content.decode())
    assert "Trop d'échecs de connexion pour ce compte" in text and "Réessayez dans 15 minutes" in text


def test_the_lock_is_per_account_from_another_address(personas):
    from django.test import Client

    attacker, colleague = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2")
    for _ in range(5):
        attacker.post(reverse("account_login"), {"login": "doctor@test.dcc", "password": "faux"})

    colleague.post(reverse("account_login"), {"login": "doctor@test.dcc", "password": PASSWORD})
    assert "_auth_user_id" not in colleague.session  # the account itself is locked
    colleague.post(reverse("account_login"), {"login": "secmed@test.dcc", "password": PASSWORD})
    assert colleague.session["_auth_user_id"] == str(personas["medical_secretary"].pk)


def test_the_session_ends_after_inactivity_and_after_its_absolute_lifetime(client, personas, settings):
    from django.conf import settings as live

    assert live.SESSION_COOKIE_AGE == 30 * 60
    assert live.SESSION_SAVE_EVERY_REQUEST
    settings.DCC_SESSION_MAX_HOURS = 10
    client.force_login(personas["doctor"])
    assert client.get(reverse("home")).status_code == 200

    session = client.session
    session["dcc_login_at"] = time.time() - 10 * 3600 - 1
    session.save()
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("state", ["inactive", "expired"])
def test_a_deactivated_or_expired_account_gets_a_french_page_and_no_access(client, personas, state):
    user = personas["doctor"]
    if state == "inactive":
        user.is_active = False
    else:
        user.expires_on = timezone.localdate() - timedelta(days=1)
    user.save()

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)

    assert "_auth_user_id" not in client.session
    assert "Compte désactivé" in response.content.decode()
    assert user.email in AccessTrail.objects.get(action="login_failed").detail


def test_an_account_expiring_today_still_works_and_is_logged_out_the_day_after(client, personas, monkeypatch):
    user = personas["doctor"]
    today = timezone.localdate()
    user.expires_on = today
    user.save()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("home")).status_code == 200  # the user now comes from the cache

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + timedelta(days=1))

    assert client.get(reverse("home")).status_code == 302


def test_an_expiry_set_by_an_administrator_logs_the_user_out_at_the_next_page(client, personas):
    user = personas["doctor"]
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("home")).status_code == 200  # the user now comes from the cache

    user.expires_on = timezone.localdate() - timedelta(days=1)
    user.save(update_fields=["expires_on"])

    assert client.get(reverse("home")).status_code == 302


# --- One-time codes policy -----------------------------------------------------------------


def _expire_grace(user):
    type(user).objects.filter(pk=user.pk).update(mfa_grace_until=timezone.now() - timedelta(minutes=1))


def test_first_login_opens_a_grace_period_for_one_time_codes(client, personas, settings):
    settings.DCC_MFA_GRACE_DAYS = 7
    doctor = personas["doctor"]
    client.force_login(doctor)
    doctor.refresh_from_db()

    assert timedelta(days=6, hours=23) < doctor.mfa_grace_until - timezone.now() <= timedelta(days=7)
    assert client.get(reverse("home")).status_code == 200


def test_after_the_grace_period_patient_care_profiles_must_enrol(client, personas):
    doctor = personas["doctor"]
    login(client, doctor.email)
    _expire_grace(doctor)

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before enrolling a code generator.
    reauth = client.get(reverse("mfa_activate_totp"), follow=True)
    assert reauth.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "obligatoires pour votre profil" in reauth.content.decode()
    enrol = client.post(reauth.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert enrol.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    secret = client.session["mfa.totp.secret"]

    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert Authenticator.objects.filter(user=doctor, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("home")).status_code == 200


def test_once_enrolled_or_for_profiles_without_patient_access_no_code_is_forced(client, personas, doctor_with_totp):
    doctor, _ = doctor_with_totp
    for user in (doctor, personas["registry"]):
        client.force_login(user)
        _expire_grace(user)
        assert client.get(reverse("home")).status_code == 200, user


def test_the_regional_policy_can_turn_mandatory_codes_off(client, personas, settings):
    settings.DCC_MFA_REQUIRED = False
    client.force_login(personas["secretary_3c"])
    _expire_grace(personas["secretary_3c"])

    assert client.get(reverse("home")).status_code == 200
    assert not Authenticator.objects.exists()


# --- Password policy -----------------------------------------------------------------------


@pytest.mark.parametrize("password", ["court-1A", "abcdefghijklmn", "abcdefgh1234", "ABCDEFGH!!!!"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_mixed_password_is_accepted():
    validate_password("Vienne-Poitiers-86")


def test_csrf_protects_the_login_form(personas):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    response = strict.post(reverse("account_login"), {"login": "doctor@test.dcc", "password": PASSWORD})

    assert response.status_code == 403


def test_during_the_grace_period_every_page_reminds_the_deadline(client, personas):
    login(client, "doctor@test.dcc")

    content = client.get(reverse("home")).content.decode()

    assert 'data-testid="mfa-reminder"' in content
    deadline = timezone.localtime(type(personas["doctor"]).objects.get(pk=personas["doctor"].pk).mfa_grace_until)
    assert f"activez-les avant le {deadline:%d/%m/%Y}" in content
    client.post(reverse("account_logout"))
    login(client, "admin@test.dcc")  # may act as a doctor: codes mandatory too
    assert 'data-testid="mfa-reminder"' in client.get(reverse("home")).content.decode()
    client.post(reverse("account_logout"))
    login(client, "registry@test.dcc")  # no patient access: no reminder
    assert 'data-testid="mfa-reminder"' not in client.get(reverse("home")).content.decode()


def test_the_reminder_disappears_once_enrolled(client, personas):
    login(client, "doctor@test.dcc")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert Authenticator.objects.filter(user=personas["doctor"]).exists()
    assert 'data-testid="mfa-reminder"' not in client.get(reverse("home")).content.decode()


def test_a_recovery_code_works_once_in_place_of_the_one_time_code(client, doctor_with_totp):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    doctor, _ = doctor_with_totp
    recovery = RecoveryCodes.activate(doctor).get_unused_codes()[0]

    login(client, doctor.email)
    client.post(reverse("mfa_authenticate"), {"code": recovery})
    assert client.session["_auth_user_id"] == str(doctor.pk)
    assert client.session["dcc_connection_method"] == "otp"
    client.post(reverse("account_logout"))

    login(client, doctor.email)
    response = client.post(reverse("mfa_authenticate"), {"code": recovery})
    assert "Code incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session
