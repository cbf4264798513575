import pytest
from django.urls import reverse

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_french_and_labelled(client):
    response = client.get(reverse("account_login"))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<label class="form-label" for="id_login">Adresse e-mail</label>' in content
    assert '<label class="form-label" for="id_password">Mot de passe</label>' in content
    assert "Aller au contenu principal" in content


def test_correct_credentials_lead_to_the_home_page(client, personas):
    response = client.post(reverse("account_login"), {"login": "sec3c@test.dcc", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Secrétaire 3C" in response.content.decode()


@pytest.mark.parametrize(
    ("login", "password"), [("sec3c@test.dcc", "mauvais-mot-de-passe"), ("inconnu@test.dcc", PASSWORD)]
)
def test_wrong_credentials_get_one_french_message_that_does_not_say_which_part(client, personas, login, password):
    response = client.post(reverse("account_login"), {"login": login, "password": password})

    content = response.content.decode()
    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in content
    assert "_auth_user_id" not in client.session


def test_repeated_failures_are_throttled(client, personas):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "doctor@test.dcc", "password": "faux"})

    response = client.post(reverse("account_login"), {"login": "doctor@test.dcc", "password": PASSWORD})

    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session


def test_deactivated_account_cannot_log_in(client, personas):
    user = personas["doctor"]
    user.is_active = False
    user.save()

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session


def test_self_signup_is_closed(client):
    response = client.get(reverse("account_signup"))

    assert "_auth_user_id" not in client.session
    assert "inscription" in response.content.decode().lower() or response.status_code in {302, 403, 404}


def test_logout_is_a_post(client, personas):
    client.force_login(personas["doctor"])

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
