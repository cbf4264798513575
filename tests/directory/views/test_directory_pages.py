import pytest
from django.urls import reverse

from dcc.accounts.navigation import nav_items
from tests.directory.factories import PlaceOfPracticeFactory
from tests.helpers import assert_access

pytestmark = pytest.mark.django_db

EVERY_PROFILE = {
    "secretary_3c", "doctor", "doctor_other_3c", "medical_secretary", "annonce_nurse", "gp", "registry", "admin",
}  # fmt: skip


@pytest.mark.parametrize("name", ["directory:professionals", "directory:establishments", "directory:three_cs"])
def test_directory_pages_are_open_to_every_profile_but_not_to_accountless_users(client, personas, name):
    assert_access(client, personas, reverse(name), allowed=EVERY_PROFILE)


def test_the_menu_shows_the_directory_to_every_profile_only(personas):
    # Registered by dcc.accounts (the directory sits below it), shown by can_browse_directory.
    for name, user in personas.users.items():
        if user is None:  # anonymous: no menu at all
            continue
        entries = {item.section: item.url for item in nav_items(user)}
        if name in EVERY_PROFILE:
            assert entries.get("directory") == reverse("directory:professionals"), name
        else:
            assert "directory" not in entries, name


def test_professional_page_access(client, personas):
    professional = personas["doctor"].professional

    assert_access(client, personas, reverse("directory:professional", args=[professional.pk]), allowed=EVERY_PROFILE)


def test_unknown_professional_is_a_french_404(client, personas):
    client.force_login(personas["doctor"])

    response = client.get(reverse("directory:professional", args=[999999]))

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_professional_list_has_a_bounded_number_of_queries(client, personas, django_assert_max_num_queries):
    client.force_login(personas["secretary_3c"])
    for _ in range(30):
        PlaceOfPracticeFactory(establishment=personas.hospital)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("directory:professionals"))

    assert response.status_code == 200
    assert "professionnels" in response.content.decode()


def test_professional_detail_has_a_bounded_number_of_queries(client, personas, django_assert_max_num_queries):
    client.force_login(personas["doctor"])
    professional = personas["doctor"].professional
    for _ in range(5):
        PlaceOfPracticeFactory(professional=professional)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("directory:professional", args=[professional.pk]))

    assert response.status_code == 200
    assert professional.last_name.upper() in response.content.decode()


def test_establishment_list_has_a_bounded_number_of_queries(client, personas, django_assert_max_num_queries):
    client.force_login(personas["registry"])
    for _ in range(20):
        PlaceOfPracticeFactory()

    with django_assert_max_num_queries(12):
        response = client.get(reverse("directory:establishments"))

    assert response.status_code == 200


def test_search_results_come_back_as_an_htmx_fragment(client, personas):
    client.force_login(personas["doctor"])
    target = personas["doctor_other_3c"].professional

    response = client.get(reverse("directory:professionals"), {"q": target.last_name}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert "<html" not in content
    assert target.last_name.upper() in content
    assert personas["doctor"].professional.last_name.upper() not in content
