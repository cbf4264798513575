"""The profile and establishment a document's author writes under (``author_context``)."""

import pytest

from dcc.accounts.enums import Profile
from dcc.accounts.selectors import author_context
from tests.accounts.factories import ProfileGrantFactory, UserFactory
from tests.directory.factories import EstablishmentFactory, PlaceOfPracticeFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def test_the_preferred_profile_wins_over_the_home_page_order():
    hospital, clinic = EstablishmentFactory(name="B HOPITAL"), EstablishmentFactory(name="A CLINIQUE")
    user = UserFactory()
    ProfileGrantFactory(user=user, profile=Profile.MEDECIN, establishments=[hospital])
    ProfileGrantFactory(user=user, profile=Profile.ANNONCE_PPS, establishments=[hospital, clinic])

    assert author_context(user) == (Profile.MEDECIN, hospital)
    user._active_grants = None
    assert author_context(user, preferred=Profile.ANNONCE_PPS) == (Profile.ANNONCE_PPS, clinic)


def test_a_grant_without_establishment_falls_back_to_the_primary_place_of_practice():
    professional = ProfessionalFactory()
    PlaceOfPracticeFactory(professional=professional, is_primary=False)
    primary = PlaceOfPracticeFactory(professional=professional, is_primary=True)
    user = UserFactory(professional=professional)
    ProfileGrantFactory(user=user, profile=Profile.SECRETAIRE_MEDICALE)
    ProfileGrantFactory(user=user, profile=Profile.LECTURE_SEULE, establishments=[EstablishmentFactory()])

    assert author_context(user, preferred=Profile.ANNONCE_PPS) == (Profile.SECRETAIRE_MEDICALE, primary.establishment)


def test_no_patient_care_grant_and_no_place_gives_nothing():
    user = UserFactory()
    ProfileGrantFactory(user=user, profile=Profile.REGISTRE, establishments=[EstablishmentFactory()])

    assert author_context(user) == ("", None)
