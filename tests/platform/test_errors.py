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
