"""Issue 16, finding 7: lockout per account, a much higher limit per address, the remaining wait in French."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dcc.accounts.lockout import wait_text
from dcc.accounts.models import LoginFailure
from dcc.records.models import AccessTrail
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

NAT = "203.0.113.7"


def _post(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_failures_on_one_account_do_not_lock_colleagues_behind_the_same_address(personas):
    attacker, colleague = Client(REMOTE_ADDR=NAT), Client(REMOTE_ADDR=NAT)
    for _ in range(5):
        _post(attacker, "doctor@test.dcc", "faux-mot-de-passe")
    for _ in range(6):  # other people behind the hospital's address mistype too
        _post(attacker, "inconnu@test.dcc", "faux-mot-de-passe")

    _post(colleague, "secmed@test.dcc", PASSWORD)

    assert colleague.session["_auth_user_id"] == str(personas["medical_secretary"].pk)


def test_the_locked_account_shows_the_remaining_wait_and_the_refusal_is_traced_once(personas):
    client = Client(REMOTE_ADDR=NAT)
    for _ in range(5):
        _post(client, "doctor@test.dcc", "faux-mot-de-passe")
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=11))

    for _ in range(3):
        response = _post(client, "doctor@test.dcc", PASSWORD)

    text = html.unescape(response.content.decode())
    assert "Réessayez dans 4 minutes" in text and "_auth_user_id" not in client.session
    refused = AccessTrail.objects.filter(action="login_failed", detail__startswith="connexion refusée")
    assert refused.count() == 1 and refused.get().user_id == personas["doctor"].pk


def test_the_lock_ends_after_its_delay(personas):
    client = Client(REMOTE_ADDR=NAT)
    for _ in range(5):
        _post(client, "doctor@test.dcc", "faux-mot-de-passe")
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    _post(client, "doctor@test.dcc", PASSWORD)
    assert client.session["_auth_user_id"] == str(personas["doctor"].pk)


def test_an_address_is_limited_much_higher(personas, settings):
    settings.DCC_LOGIN_ADDRESS_FAILURES = 12
    client = Client(REMOTE_ADDR=NAT)
    for index in range(12):
        _post(client, f"personne{index}@test.dcc", "faux-mot-de-passe")

    response = _post(client, "secmed@test.dcc", PASSWORD)

    assert "_auth_user_id" not in client.session
    assert "depuis votre réseau" in html.unescape(response.content.decode())
    _post(Client(REMOTE_ADDR="203.0.113.8"), "secmed@test.dcc", PASSWORD)  # another address is not concerned


def test_the_wait_reads_in_french():
    assert [wait_text(s) for s in (1, 40, 60, 61, 900)] == [
        "1 seconde", "40 secondes", "1 minute", "2 minutes", "15 minutes",
    ]  # fmt: skip


def test_failures_past_their_retention_are_purged_nightly(settings):
    from dcc.accounts.tasks import purge_login_failures

    settings.DCC_LOGIN_FAILURE_RETENTION_DAYS = 90
    now = timezone.now()
    old = LoginFailure.objects.create(login="x@test.dcc", at=now - timedelta(days=91))
    kept = LoginFailure.objects.create(login="x@test.dcc", at=now - timedelta(days=89))

    assert purge_login_failures() == 1
    assert list(LoginFailure.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not LoginFailure.objects.filter(pk=old.pk).exists()
