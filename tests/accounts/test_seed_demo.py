from io import StringIO

import pytest
from django.core.management import call_command

from dcc.accounts.demo import DEMO_PASSWORD, PERSONAS
from dcc.accounts.models import User
from dcc.directory.models import Establishment, PlaceOfPractice, Professional, ThreeC
from dcc.directory.validators import validate_finess, validate_rpps

pytestmark = pytest.mark.django_db


def counts():
    return (
        ThreeC.objects.count(),
        Establishment.objects.count(),
        Professional.objects.count(),
        PlaceOfPractice.objects.count(),
        User.objects.count(),
    )


def test_seed_demo_builds_the_region_and_is_idempotent(demo):
    first = counts()
    call_command("seed_demo", stdout=StringIO())

    assert counts() == first
    three_cs, establishments, professionals, _, users = first
    assert three_cs == 18
    assert establishments >= 40
    assert 280 <= professionals <= 400
    # The personas, and the accounts of the doctors who signed the demo fiches (present at their sessions).
    assert users - User.objects.filter(email__startswith="signataire.").count() == len(PERSONAS)
    assert ThreeC.objects.filter(name="3C Vienne, Nord Deux-Sèvres").exists()


def test_demo_identifiers_are_valid_and_synthetic(demo):

    for rpps in Professional.objects.values_list("rpps", flat=True):
        validate_rpps(rpps)
        assert rpps.startswith(("10999", "10998"))
    for finess in Establishment.objects.values_list("finess_geo", flat=True):
        validate_finess(finess)
    # Every address is synthetic; one demo professional has none (the « pas d'adresse MSSanté » case).
    assert not Professional.objects.exclude(mss_address="").exclude(mss_address__endswith=".test").exists()
    assert Professional.objects.filter(mss_address="").count() == 1


def test_every_demo_login_works_and_reaches_its_home(client, demo):

    for persona in PERSONAS:
        client.logout()
        response = client.post("/compte/login/", {"login": persona.email, "password": DEMO_PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == "/", persona.email
        assert "Bonjour" in response.content.decode(), persona.email


def test_seed_demo_loads_the_rights_table_and_the_terms_of_use_accepted_by_the_personas(demo):
    from dcc.accounts import perms
    from dcc.accounts.enums import DEFAULT_PERMISSIONS
    from dcc.accounts.models import ProfilePermission, TermsAcceptance, TermsOfUse

    ProfilePermission.objects.all().delete()
    call_command("seed_demo", stdout=StringIO())  # a second run, on the seeded demo: the table comes back once

    assert ProfilePermission.objects.count() == sum(len(held) for held in DEFAULT_PERMISSIONS.values())
    terms = TermsOfUse.objects.get()
    assert terms.version == "1"
    assert TermsAcceptance.objects.filter(terms=terms).count() == len(PERSONAS)
    doctor = User.objects.get(email="medecin@demo.dcc.test")
    vienne = ThreeC.objects.get(name="3C Vienne, Nord Deux-Sèvres")
    landes = ThreeC.objects.get(name="3C Landes")
    assert perms.user_can(doctor, "fiche_validate", three_c=vienne)
    assert not perms.user_can(doctor, "fiche_validate", three_c=landes)
    assert perms.can_impersonate(User.objects.get(email="admin@demo.dcc.test"))
