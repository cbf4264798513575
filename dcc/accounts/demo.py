"""Demo logins: one user per persona, with realistic scopes. Listed in the README."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from dcc.accounts.enums import Profile
from dcc.accounts.models import ProfileGrant, TermsAcceptance, TermsOfUse, User
from dcc.directory.enums import Civility, PracticeRole, Profession
from dcc.directory.models import Establishment, PlaceOfPractice, Professional, ThreeC
from dcc.directory.validators import luhn_key

ORDER = 20
DEMO_PASSWORD = "Demo-DCC-2026!"  # noqa: S105 - documented demo password, local demo only


@dataclass(frozen=True)
class Persona:
    email: str
    first_name: str
    last_name: str
    profile: str
    three_cs: tuple[str, ...] = ()
    establishments: tuple[str, ...] = ()
    # (profession, specialty code, civility, establishment, role) when the persona is a professional
    professional: tuple | None = None
    extra_profiles: tuple[str, ...] = field(default=())
    staff: bool = False


POITIERS = "CHU LA MILETRIE - POITIERS"
VIENNE = "3C Vienne, Nord Deux-Sèvres"
PERSONAS = [
    Persona("secretaire.3c@demo.dcc.test", "Maëlle", "Sarrouvignac", Profile.SECRETAIRE_3C, three_cs=(VIENNE,)),
    Persona(
        "medecin@demo.dcc.test",
        "Hélène",
        "Tilhacourt",
        Profile.MEDECIN,
        three_cs=(VIENNE,),
        establishments=(POITIERS,),
        professional=(Profession.MEDECIN, "G15_10/SM24", Civility.DOCTEUR, POITIERS, PracticeRole.PRATICIEN),
    ),
    Persona(
        "medecin.landes@demo.dcc.test",
        "Bruno",
        "Fonbastide",
        Profile.MEDECIN,
        three_cs=("3C Landes",),
        establishments=("CH DAX",),
        professional=(Profession.MEDECIN, "G15_10/SM36", Civility.DOCTEUR, "CH DAX", PracticeRole.PRATICIEN),
    ),
    Persona(
        "secretaire.medicale@demo.dcc.test",
        "Inès",
        "Pelquillet",
        Profile.SECRETAIRE_MEDICALE,
        establishments=(POITIERS,),
    ),
    Persona(
        "annonce@demo.dcc.test",
        "Lucie",
        "Roumézac",
        Profile.ANNONCE_PPS,
        establishments=(POITIERS,),
        professional=(
            Profession.INFIRMIER,
            "G15_60",
            Civility.MADAME,
            POITIERS,
            PracticeRole.INFIRMIER_COORDINATEUR,
        ),
    ),
    Persona(
        "medecin.traitant@demo.dcc.test",
        "Étienne",
        "Garlhac",
        Profile.MEDECIN,
        professional=(
            Profession.MEDECIN,
            "G15_10/SM54",
            Civility.DOCTEUR,
            "MAISON DE SANTE PLURIPROFESSIONNELLE DE CHATELLERAULT",
            PracticeRole.LIBERAL,
        ),
    ),
    Persona("registre@demo.dcc.test", "Nadia", "Orbéran", Profile.REGISTRE),
    Persona("admin@demo.dcc.test", "Yann", "Estagnol", Profile.ADMIN_REGIONAL, staff=True),
]


def _professional_for(persona: Persona, index: int) -> Professional | None:
    if persona.professional is None:
        return None
    profession, specialty, civility, establishment_name, role = persona.professional
    body = f"10998{index:05d}"
    professional, _ = Professional.objects.update_or_create(
        rpps=body + luhn_key(body),
        defaults={
            "first_name": persona.first_name,
            "last_name": persona.last_name,
            "civility": civility,
            "profession": profession,
            "specialty_id": specialty,
            "mss_address": persona.email.replace("@demo.dcc.test", "@pro.mssante.demo.test"),
            "is_liberal": role == PracticeRole.LIBERAL,
        },
    )
    establishment = Establishment.objects.get(name=establishment_name)
    PlaceOfPractice.objects.get_or_create(
        professional=professional, establishment=establishment, role=role, defaults={"is_primary": True}
    )
    return professional


@transaction.atomic
def seed_personas() -> list[Persona]:
    for index, persona in enumerate(PERSONAS, start=1):
        user = User.objects.filter(email=persona.email).first()
        if user is None:
            user = User.objects.create_user(email=persona.email, password=DEMO_PASSWORD)
        user.first_name = persona.first_name
        user.last_name = persona.last_name
        user.professional = _professional_for(persona, index)
        user.is_staff = persona.staff
        user.is_superuser = persona.staff
        user.save()
        for profile in (persona.profile, *persona.extra_profiles):
            grant, _ = ProfileGrant.objects.get_or_create(user=user, profile=profile)
            grant.three_cs.set(ThreeC.objects.filter(name__in=persona.three_cs))
            grant.establishments.set(Establishment.objects.filter(name__in=persona.establishments))
    return PERSONAS


TERMS_V1 = "\n\n".join(
    [
        "Le DCC est un service régional réservé aux professionnels qui prennent en charge des patients "
        "atteints de cancer.",
        "1. Vous n'accédez qu'aux dossiers des patients dont vous assurez la prise en charge. Tout accès "
        "exceptionnel (bris de glace) doit être motivé ; il est signalé aux administrateurs.",
        "2. Tous les accès aux données de santé sont tracés (qui, quand, quel patient, quelle action, "
        "depuis quelle adresse).",
        "3. Vos identifiants et vos codes à usage unique sont personnels : ne les communiquez à personne.",
        "4. Les données consultées sont couvertes par le secret médical et ne doivent servir qu'à la prise "
        "en charge des patients.",
        "5. Signalez sans délai tout incident de sécurité à l'administrateur régional.",
    ]
)


@transaction.atomic
def seed_rights() -> TermsOfUse:
    """Default rights per profile and the terms of use v1, accepted by the demo personas."""
    from dcc.accounts.services import profile_permissions_load_defaults, terms_publish

    profile_permissions_load_defaults()
    terms = TermsOfUse.objects.filter(version="1").first() or terms_publish(version="1", text=TERMS_V1)
    for user in User.objects.filter(email__in=[persona.email for persona in PERSONAS]):
        TermsAcceptance.objects.get_or_create(user=user, terms=terms)
    return terms


def seed(context: dict) -> None:
    personas = seed_personas()
    seed_rights()
    context["log"](f"Comptes de démonstration : {len(personas)} (mot de passe : {DEMO_PASSWORD})")
