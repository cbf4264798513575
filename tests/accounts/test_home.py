import pytest
from django.urls import reverse

from tests.helpers import assert_access

pytestmark = pytest.mark.django_db

HOME_CONTENT = {
    "secretary_3c": ("Secrétaire 3C", "Votre 3C"),
    "doctor": ("Médecin / Pharmacien / Interne", "Vos lieux d'exercice"),
    "doctor_other_3c": ("Médecin / Pharmacien / Interne", "CH TEST DAX"),
    "medical_secretary": ("Secrétaire médicale", "CHU TEST POITIERS"),
    "annonce_nurse": ("Annonce PPS", "Vos établissements"),
    "gp": ("Médecin / Pharmacien / Interne", "Médecin traitant"),
    "registry": ("Registre", "Accès en lecture"),
    "admin": ("Administrateur régional", "Gérer les utilisateurs"),
    "no_profile": ("Bonjour", "Aucun profil actif"),
}


def test_home_requires_login(client, personas):
    assert_access(client, personas, reverse("home"), allowed=set(HOME_CONTENT))


@pytest.mark.parametrize("persona", sorted(HOME_CONTENT))
def test_each_profile_lands_on_its_own_home(client, personas, persona, django_assert_max_num_queries):
    client.force_login(personas[persona])

    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))

    content = response.content.decode()
    for expected in HOME_CONTENT[persona]:
        assert expected in content, f"{persona}: « {expected} » absent"


def test_only_the_admin_sees_the_administration_link(client, personas):
    for name, sees in [("admin", True), ("secretary_3c", False), ("doctor", False), ("registry", False)]:
        client.force_login(personas[name])
        content = client.get(reverse("home")).content.decode()
        assert (">Administration</a>" in content) is sees, name


def test_the_secretary_sees_her_3c_only(client, personas):
    client.force_login(personas["secretary_3c"])

    content = client.get(reverse("home")).content.decode()

    assert personas.three_c.name in content
    assert personas.other_three_c.name not in content


def test_django_admin_is_for_the_regional_admin_only(client, personas):
    client.force_login(personas["secretary_3c"])
    assert client.get(reverse("admin:index")).status_code == 302

    staff_without_profile = personas["doctor"]
    staff_without_profile.is_staff = True
    staff_without_profile.save()
    client.force_login(staff_without_profile)
    assert client.get(reverse("admin:index")).status_code == 302

    client.force_login(personas["admin"])
    assert client.get(reverse("admin:index")).status_code == 200
