import pytest
from django.core import signing
from django.db import transaction
from django.urls import reverse

from dcc.accounts.services import IMPERSONATION_SESSION_KEY, impersonation_token
from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail
from dcc.records.trail import trail_record
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory

pytestmark = pytest.mark.django_db

REASON = "Ticket 4521 : le médecin ne voit pas son dossier"


def start(client, personas, target="doctor", reason=REASON):
    client.force_login(personas["admin"])
    return client.post(reverse("accounts:impersonate"), {"email": personas[target].email, "reason": reason})


def test_support_page_access(client, personas):
    assert_access(client, personas, reverse("accounts:impersonate"), allowed={"admin"})


def test_stop_is_a_post_for_logged_in_users(client, personas):
    url = reverse("accounts:impersonate_stop")
    logged_in = set(personas.users) - {"anonymous"}
    assert_access(client, personas, url, allowed=logged_in, method="post", ok_status=302)
    client.force_login(personas["admin"])
    assert client.get(url).status_code == 405


def test_the_admin_sees_the_dcc_as_the_user_with_a_visible_banner(client, personas):
    response = start(client, personas)
    assert response.status_code == 302

    home = client.get(reverse("home"))

    content = home.content.decode()
    assert content.count('data-testid="impersonation-banner"') == 1
    assert f"agit en tant que <strong>{personas['doctor'].display_name}</strong>" in content
    assert home.context["user"] == personas["doctor"]
    assert "Médecin" in content


def test_every_action_is_traced_as_x_acting_as_y(client, personas):
    start(client, personas)
    patient = PatientFactory()

    response = client.get(reverse("home"))
    with transaction.atomic():
        line = trail_record(user=response.wsgi_request.user, action=TrailAction.READ, patient=patient,
                            request=response.wsgi_request)  # fmt: skip

    assert (line.user_id, line.acting_as_id) == (personas["admin"].pk, personas["doctor"].pk)
    assert line.who == f"{personas['admin']} agissant en tant que {personas['doctor']}"
    opening = AccessTrail.objects.get(action="impersonate")
    assert (opening.user_id, opening.acting_as_id, opening.detail) == (
        personas["admin"].pk,
        personas["doctor"].pk,
        REASON,
    )


@pytest.mark.parametrize(
    "route", ["account_change_password", "account_email", "mfa_index", "mfa_activate_totp", "accounts:impersonate"]
)
def test_credentials_and_codes_cannot_be_changed_while_impersonating(client, personas, route):
    start(client, personas)

    response = client.get(reverse(route))

    assert response.status_code == 403
    assert "Action impossible pendant le support" in response.content.decode()


def test_a_reason_is_required(client, personas):
    response = start(client, personas, reason="")

    assert "Le motif est obligatoire." in response.content.decode()
    assert IMPERSONATION_SESSION_KEY not in client.session
    assert not AccessTrail.objects.filter(action="impersonate").exists()


@pytest.mark.parametrize("target", ["admin"])
def test_an_administrator_cannot_be_impersonated(client, personas, target):
    response = start(client, personas, target=target)

    assert "Ce compte ne peut pas être utilisé pour le support." in response.content.decode()
    assert IMPERSONATION_SESSION_KEY not in client.session


def test_an_unknown_user_gets_a_french_message(client, personas):
    client.force_login(personas["admin"])

    response = client.post(reverse("accounts:impersonate"), {"email": "personne@test.dcc", "reason": REASON})

    assert "Aucun utilisateur ne correspond à cette adresse." in response.content.decode()


def test_a_tampered_impersonation_marker_is_rejected_and_traced(client, personas):
    start(client, personas)
    session = client.session
    token = session[IMPERSONATION_SESSION_KEY]
    forged = signing.dumps({"by": personas["admin"].pk, "as": personas["secretary_3c"].pk, "reason": "x"}, key="pirate")
    session[IMPERSONATION_SESSION_KEY] = forged
    session.save()
    assert token != forged

    response = client.get(reverse("home"), follow=True)

    assert response.context["user"] == personas["admin"]
    assert "rejetée" in response.content.decode()
    assert IMPERSONATION_SESSION_KEY not in client.session
    line = AccessTrail.objects.get(action="tampering")
    assert line.user_id == personas["admin"].pk


def test_a_marker_signed_for_another_admin_is_rejected(client, personas):
    client.force_login(personas["registry"])
    session = client.session
    session[IMPERSONATION_SESSION_KEY] = impersonation_token(
        admin=personas["admin"], target=personas["doctor"], reason=REASON
    )
    session.save()

    response = client.get(reverse("home"), follow=True)

    assert response.context["user"] == personas["registry"]
    assert AccessTrail.objects.filter(action="tampering").exists()


def test_stopping_returns_to_the_admin_account(client, personas):
    start(client, personas)

    response = client.post(reverse("accounts:impersonate_stop"), follow=True)

    assert response.context["user"] == personas["admin"]
    assert "de nouveau connecté" in response.content.decode()
    assert 'data-testid="impersonation-banner"' not in response.content.decode()
    end = AccessTrail.objects.get(action="impersonate_end")
    assert (end.user_id, end.acting_as_id) == (personas["admin"].pk, personas["doctor"].pk)


def test_the_impersonation_expires(client, personas, settings):
    start(client, personas)
    settings.DCC_IMPERSONATION_MINUTES = -1

    response = client.get(reverse("home"), follow=True)

    assert response.context["user"] == personas["admin"]
    assert "a expiré" in response.content.decode()
