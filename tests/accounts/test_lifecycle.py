from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dcc.accounts.enums import AccountEventKind
from dcc.accounts.models import AccountEvent, TermsAcceptance, User
from dcc.accounts.services import terms_publish, user_reactivate
from dcc.accounts.tasks import deactivate_unused_accounts
from tests.accounts.factories import PASSWORD
from tests.helpers import assert_access

pytestmark = pytest.mark.django_db

LOGGED_IN = {
    "secretary_3c", "doctor", "doctor_other_3c", "medical_secretary", "annonce_nurse", "gp", "registry", "admin",
    "no_profile",
}  # fmt: skip


# --- Terms of use (CGU) ------------------------------------------------------------------


def test_terms_page_access(client, personas):
    terms_publish(version="1", text="Texte des CGU.")

    assert_access(client, personas, reverse("accounts:terms"), allowed=LOGGED_IN)


def test_terms_are_accepted_at_first_login_and_again_for_each_new_version(client, personas):
    doctor = personas["doctor"]
    v1 = terms_publish(version="1", text="Première version.")

    response = client.post(reverse("account_login"), {"login": doctor.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:terms"))
    assert "Première version." in response.content.decode()

    refused = client.post(response.redirect_chain[-1][0], {})
    assert "Cochez la case" in refused.content.decode()
    assert client.get(reverse("home")).status_code == 302

    accepted = client.post(response.redirect_chain[-1][0], {"accept": "on"}, follow=True)
    assert accepted.redirect_chain[-1][0] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert TermsAcceptance.objects.filter(user=doctor, terms=v1).exists()
    assert AccountEvent.objects.filter(user=doctor, kind=AccountEventKind.TERMS_ACCEPTED).count() == 1

    terms_publish(version="2", text="Deuxième version.")

    again = client.get(reverse("home"), follow=True)
    assert "Deuxième version." in again.content.decode()
    assert again.redirect_chain[-1][0].startswith(reverse("accounts:terms"))


def test_without_published_terms_nobody_is_stopped(client, personas):
    client.force_login(personas["doctor"])

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("accounts:terms")).status_code == 302


def test_terms_accept_ignores_an_external_next(client, personas):
    terms_publish(version="1", text="CGU.")
    client.force_login(personas["gp"])

    response = client.post(reverse("accounts:terms") + "?next=https://evil.example/", {"accept": "on"})

    assert response["Location"] == reverse("home")


# --- Unused accounts -----------------------------------------------------------------------


def _last_login(user, days):
    User.objects.filter(pk=user.pk).update(
        last_login=timezone.now() - timedelta(days=days), date_joined=timezone.now() - timedelta(days=400)
    )


def test_unused_accounts_are_warned_then_deactivated_by_the_nightly_task(personas, settings):
    settings.DCC_ACCOUNT_UNUSED_DAYS = 180
    settings.DCC_ACCOUNT_WARNING_DAYS = 14
    for name in personas.users:
        if personas[name] is not None:
            _last_login(personas[name], 1)
    _last_login(personas["doctor"], 200)
    _last_login(personas["gp"], 170)

    result = deactivate_unused_accounts.apply().get()

    assert result == {"warned": 2, "deactivated": 1}
    assert sorted(message.to[0] for message in mail.outbox) == sorted([personas["doctor"].email, personas["gp"].email])
    assert "sera désactivé" in mail.outbox[0].body
    assert not User.objects.get(pk=personas["doctor"].pk).is_active
    assert User.objects.get(pk=personas["gp"].pk).is_active
    assert AccountEvent.objects.filter(user=personas["doctor"], kind=AccountEventKind.DEACTIVATED_UNUSED).exists()

    # Idempotent: nothing new the next night.
    assert deactivate_unused_accounts.apply().get() == {"warned": 0, "deactivated": 0}
    assert len(mail.outbox) == 2


def test_an_admin_reactivates_and_the_inactivity_clock_restarts(personas, client):
    doctor = personas["doctor"]
    _last_login(doctor, 200)
    deactivate_unused_accounts.apply().get()
    client.post(reverse("account_login"), {"login": doctor.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    user_reactivate(user=User.objects.get(pk=doctor.pk), by=personas["admin"], reason="retour de congé")

    assert deactivate_unused_accounts.apply().get()["deactivated"] == 0
    event = AccountEvent.objects.get(user=doctor, kind=AccountEventKind.REACTIVATED)
    assert event.by == personas["admin"]
    client.post(reverse("account_login"), {"login": doctor.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(doctor.pk)


def test_the_admin_site_deactivates_and_reactivates_selected_accounts(client, personas):
    doctor = personas["doctor"]
    admin = personas["admin"]
    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:accounts_user_changelist")

    client.post(url, {"action": "deactivate", "_selected_action": [doctor.pk, admin.pk]}, follow=True)
    assert not User.objects.get(pk=doctor.pk).is_active
    assert User.objects.get(pk=admin.pk).is_active  # never oneself
    response = client.post(url, {"action": "reactivate", "_selected_action": [doctor.pk]}, follow=True)

    assert response.status_code == 200
    assert User.objects.get(pk=doctor.pk).is_active
    kinds = list(AccountEvent.objects.filter(user=doctor).order_by("id").values_list("kind", "by"))
    assert kinds == [(AccountEventKind.DEACTIVATED_BY_ADMIN, admin.pk), (AccountEventKind.REACTIVATED, admin.pk)]


def test_the_beat_schedule_runs_the_task_every_night():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["accounts-unused"]
    assert entry["task"] == deactivate_unused_accounts.name


def test_the_user_admin_pages_render(client, personas):
    User.objects.filter(pk=personas["admin"].pk).update(is_superuser=True)
    client.force_login(personas["admin"])

    assert client.get(reverse("admin:accounts_user_change", args=[personas["doctor"].pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    assert client.get(reverse("admin:records_accesstrail_changelist")).status_code == 200
    assert client.get(reverse("admin:records_breakglassgrant_changelist")).status_code == 200
