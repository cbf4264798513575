"""Named personas: one user per kind of person the product serves, with realistic scopes.

Every view test checks each persona: who is allowed, and who is denied.
"""

from __future__ import annotations

from dataclasses import dataclass

from dcc.accounts.enums import Profile
from dcc.accounts.models import User
from tests.accounts.factories import ProfileGrantFactory, UserFactory
from tests.directory.factories import (
    EstablishmentFactory,
    PlaceOfPracticeFactory,
    ProfessionalFactory,
    ThreeCFactory,
)

PERSONA_NAMES = (
    "anonymous",
    "secretary_3c",
    "doctor",
    "doctor_other_3c",
    "medical_secretary",
    "annonce_nurse",
    "gp",
    "registry",
    "admin",
    "no_profile",
)


@dataclass
class Personas:
    """The personas of one test, and the world they live in."""

    users: dict[str, User | None]
    three_c: object
    other_three_c: object
    hospital: object
    other_hospital: object

    def __getitem__(self, name: str) -> User | None:
        return self.users[name]


def build_personas() -> Personas:
    three_c = ThreeCFactory(name="3C Vienne (test)", code="vienne-test")
    other_three_c = ThreeCFactory(name="3C Landes (test)", code="landes-test")
    hospital = EstablishmentFactory(chu=True, three_c=three_c, name="CHU TEST POITIERS")
    other_hospital = EstablishmentFactory(three_c=other_three_c, name="CH TEST DAX")
    practice = EstablishmentFactory(practice=True, name="MSP TEST")

    def user_with(profile, *, email, professional=None, three_cs=(), establishments=(), **extra):
        user = UserFactory(email=email, professional=professional, **extra)
        ProfileGrantFactory(user=user, profile=profile, three_cs=list(three_cs), establishments=list(establishments))
        return user

    doctor_pro = PlaceOfPracticeFactory(establishment=hospital).professional
    other_doctor_pro = PlaceOfPracticeFactory(establishment=other_hospital).professional
    nurse_pro = PlaceOfPracticeFactory(
        establishment=hospital, professional=ProfessionalFactory(nurse=True)
    ).professional
    gp_pro = PlaceOfPracticeFactory(
        establishment=practice, professional=ProfessionalFactory(general_practitioner=True)
    ).professional

    users = {
        "anonymous": None,
        "secretary_3c": user_with(Profile.SECRETAIRE_3C, email="sec3c@test.dcc", three_cs=[three_c]),
        "doctor": user_with(
            Profile.MEDECIN, email="doctor@test.dcc", professional=doctor_pro, three_cs=[three_c],
            establishments=[hospital],
        ),
        "doctor_other_3c": user_with(
            Profile.MEDECIN, email="doctor.other@test.dcc", professional=other_doctor_pro,
            three_cs=[other_three_c], establishments=[other_hospital],
        ),
        "medical_secretary": user_with(
            Profile.SECRETAIRE_MEDICALE, email="secmed@test.dcc", establishments=[hospital]
        ),
        "annonce_nurse": user_with(
            Profile.ANNONCE_PPS, email="annonce@test.dcc", professional=nurse_pro, establishments=[hospital]
        ),
        "gp": user_with(Profile.MEDECIN, email="gp@test.dcc", professional=gp_pro),
        "registry": user_with(Profile.REGISTRE, email="registry@test.dcc"),
        "admin": user_with(Profile.ADMIN_REGIONAL, email="admin@test.dcc", is_staff=True),
        "no_profile": UserFactory(email="noprofile@test.dcc"),
    }  # fmt: skip
    return Personas(users, three_c, other_three_c, hospital, other_hospital)
