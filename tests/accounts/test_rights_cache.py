"""The grants read from the cache: a change of rights applies from the next page, a login changes nothing."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dcc.accounts.rights_cache import GENERATION_KEY, rights_generation
from tests.directory.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def _queries_reading(client, url: str, table: str) -> tuple[int, int]:
    """The page's status and how many of its queries read ``table``."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, sum(f'FROM "{table}' in q["sql"] for q in queries.captured_queries)


def test_a_page_reads_the_grants_from_the_cache_once_they_are_there(client, personas):
    client.force_login(personas["annonce_nurse"])
    client.get(reverse("pps:home"))
    status, grant_queries = _queries_reading(client, reverse("pps:home"), "accounts_profilegrant")
    assert (status, grant_queries) == (200, 0)


def test_a_withdrawn_grant_applies_from_the_next_page(client, personas):
    nurse = personas["annonce_nurse"]
    client.force_login(nurse)
    assert client.get(reverse("pps:home")).status_code == 200

    grant = nurse.profile_grants.get()
    grant.is_active = False
    grant.save()

    assert client.get(reverse("pps:home")).status_code == 403


def test_a_scope_change_applies_from_the_next_page(client, personas):
    nurse = personas["annonce_nurse"]
    client.force_login(nurse)
    client.get(reverse("pps:home"))
    cached = cache.get(f"dcc:grants:{nurse.pk}:{rights_generation()}")
    assert cached is not None

    before = rights_generation()
    nurse.profile_grants.get().establishments.add(EstablishmentFactory())

    assert rights_generation() != before
    assert cache.get(f"dcc:grants:{nurse.pk}:{rights_generation()}") is None


def test_a_login_keeps_the_cached_rights(client, personas):
    before = rights_generation()
    client.force_login(personas["doctor"])
    assert cache.get(GENERATION_KEY) == before


def test_a_page_reads_its_user_from_the_cache_once_it_is_there(client, personas):
    client.force_login(personas["annonce_nurse"])
    client.get(reverse("pps:home"))
    assert _queries_reading(client, reverse("pps:home"), 'accounts_user"') == (200, 0)


def test_a_professional_renamed_is_shown_renamed_from_the_next_page(client, personas):
    doctor = personas["doctor"]
    client.force_login(doctor)
    client.get(reverse("home"))
    professional = doctor.professional
    professional.last_name = "RENOMMÉ"
    professional.save()

    assert "RENOMMÉ" in client.get(reverse("home")).content.decode()


def test_a_bulk_change_of_the_directory_drops_the_cached_users(client, personas):
    from dcc.directory.models import Professional
    from dcc.directory.signals import professionals_changed

    doctor = personas["doctor"]
    client.force_login(doctor)
    client.get(reverse("home"))
    Professional.objects.filter(pk=doctor.professional_id).update(last_name="IMPORTÉ")  # no post_save
    professionals_changed.send(sender=Professional)  # what the directory's bulk writers send

    assert "IMPORTÉ" in client.get(reverse("home")).content.decode()
