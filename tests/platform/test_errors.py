import pytest
from django.test import RequestFactory

from dcc import errors

pytestmark = pytest.mark.django_db


def test_unknown_url_shows_the_french_404_page(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "Page introuvable" in content
    assert '<html lang="fr">' in content


def test_server_error_page_is_french_and_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = errors.server_error(request)

    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_forbidden_page_is_french(rf):
    response = errors.permission_denied(_with_user(rf.get("/")))

    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def _with_user(request):
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize("error", ["OperationalError", "InterfaceError"])
def test_a_database_out_of_reach_gives_the_french_503_page_not_a_500(client, personas, monkeypatch, error):
    from django import db
    from django.contrib.auth import middleware

    def unreachable(request):
        try:
            raise ConnectionRefusedError("connection refused")
        except ConnectionRefusedError as cause:
            raise getattr(db, error)("connection failed: server closed the connection unexpectedly") from cause

    client.force_login(personas["doctor"])
    client.raise_request_exception = False
    monkeypatch.setattr(middleware, "get_user", unreachable)  # the first database read of a logged-in request

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    content = response.content.decode()
    assert "Service momentanément indisponible" in content and '<html lang="fr">' in content
    assert "Traceback" not in content and "server closed" not in content


def test_other_errors_stay_a_500(client, personas, monkeypatch):
    from django.contrib.auth import middleware

    def broken(request):
        raise ValueError("bug")

    client.force_login(personas["doctor"])
    client.raise_request_exception = False
    monkeypatch.setattr(middleware, "get_user", broken)

    assert client.get("/").status_code == 500
