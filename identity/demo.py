"""Synthetic demo patients: ~2,000 identities with valid test NIRs (INS OID 1.2.250.1.213.1.4.10).

Every name is built from syllables (never a real person). The set covers each RNIV status,
Corsica-born (2A/2B) and foreign-born (99XXX) people, a few deliberate duplicates for the
data-quality page, and provisional identities whose traits match the local INSi teleservice's test
identities (so that "Interroger INSi" answers in the demo). Care relationships make the demo
personas see a realistic set: patients of each establishment linked to it, their 3C, some linked
to the GP persona as médecin traitant.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from dcc.accounts.models import User
from dcc.directory.models import Establishment
from dcc.records.enums import CareRelationshipKind
from dcc.records.models import CareRelationship
from identity.enums import INS_OID_TEST, ChangeKind, IdentityOrigin, ProofDocument, RnivStatus, Sex
from identity.insi.standin import TEST_IDENTITIES
from identity.models import IdentityChange, LocalIdentifier, Patient
from identity.nir import compute_key

ORDER = 30
TOTAL = 2000
DEMO_SOURCE = "demo"
DEMO_ADDRESS = "Jeu de démonstration"

_ONSETS = ["B", "C", "D", "F", "G", "L", "M", "N", "P", "R", "S", "T", "V", "CH", "BR", "GR", "TR", "PL"]
_VOWELS = ["A", "E", "I", "O", "OU", "AU", "EI", "AI"]
_CODAS = ["", "", "N", "R", "L", "S", "T", "UD", "AC", "ET", "IN", "AT"]
FEMALE_FIRST = [
    "MARIE",
    "ANNE",
    "CLAIRE",
    "LUCIE",
    "HELENE",
    "ODILE",
    "SYLVIE",
    "NADIA",
    "INES",
    "JULIETTE",
    "MONIQUE",
    "CHANTAL",
    "ELODIE",
    "ZOE",
    "FATOU",
    "CAMILLE",
    "GENEVIEVE",
    "AGATHE",
]
MALE_FIRST = [
    "JEAN",
    "PIERRE",
    "PAUL",
    "LUCIEN",
    "GERARD",
    "MARC",
    "YVES",
    "KARIM",
    "HUGO",
    "LOUIS",
    "BERNARD",
    "ANDRE",
    "MAMADOU",
    "THOMAS",
    "CAMILLE",
    "ETIENNE",
    "JOSEPH",
    "ANTOINE",
]
# (COG code, weight): mostly the region, some Corsica, overseas and foreign-born people.
BIRTH_PLACES = [
    ("86194", 20),
    ("86066", 8),
    ("79191", 8),
    ("87085", 10),
    ("16015", 6),
    ("17300", 6),
    ("33063", 8),
    ("40088", 4),
    ("64102", 4),
    ("2A004", 2),
    ("2B033", 2),
    ("97411", 2),
    ("99350", 3),
    ("99352", 3),
    ("99341", 2),
    ("99139", 2),
    ("99134", 1),
]
STATUS_WEIGHTS = [
    (RnivStatus.PROVISOIRE, 45),
    (RnivStatus.RECUPEREE, 15),
    (RnivStatus.VALIDEE, 15),
    (RnivStatus.QUALIFIEE, 25),
]
CHU = "CHU LA MILETRIE - POITIERS"


def _surname(rng: random.Random) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.choice([2, 2, 3]))]
    name = "".join(parts) + rng.choice(_CODAS)
    if rng.random() < 0.06:
        name += "-" + rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
    return name


def demo_nir(*, sex: str, birth_date: datetime.date, place: str, order: int) -> str:
    body = f"{'1' if sex == Sex.MALE else '2'}{birth_date:%y%m}{place}{order:03d}"
    return body + compute_key(body)


def _people(rng: random.Random) -> list[dict]:
    people, used_ins = [], set()
    places = [code for code, weight in BIRTH_PLACES for _ in range(weight)]
    statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]
    for index in range(TOTAL):
        sex = Sex.FEMALE if rng.random() < 0.52 else Sex.MALE
        firsts = rng.sample(FEMALE_FIRST if sex == Sex.FEMALE else MALE_FIRST, rng.choice([1, 2, 2, 3]))
        birth_date = datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 65))
        place = rng.choice(places)
        status = rng.choice(statuses)
        person = {
            "birth_name": _surname(rng),
            "first_given_name": firsts[0],
            "given_names": " ".join(firsts),
            "sex": sex,
            "birth_date": birth_date,
            "birth_place_code": place,
            "rniv_status": status,
            "index": index,
        }
        if sex == Sex.FEMALE and rng.random() < 0.35:
            person["used_name"] = _surname(rng)
        if status in (RnivStatus.RECUPEREE, RnivStatus.QUALIFIEE):
            order = 500 + index % 400
            nir = demo_nir(sex=sex, birth_date=birth_date, place=place, order=order)
            while nir in used_ins:
                order += 1
                nir = demo_nir(sex=sex, birth_date=birth_date, place=place, order=order)
            used_ins.add(nir)
            person["ins_matricule"] = nir
        people.append(person)
    return people


# Deliberate duplicates: (index of the original, changes of the second identity).
DUPLICATES = [
    (3, {"birth_name": lambda n: n[:-1] + ("D" if n[-1] != "D" else "T")}),
    (17, {"first_given_name": lambda n: n, "swap_day_month": True}),
    (42, {"birth_name": lambda n: n.replace("OU", "U", 1) if "OU" in n else n + "E"}),
    (88, {"given_names": lambda n: n.split(" ")[0]}),
    (123, {"birth_name": lambda n: n + "-" + "MARTIN"}),
    (256, {}),
]


@transaction.atomic
def seed(context: dict) -> None:
    log = context["log"]
    if Patient.objects.filter(address=DEMO_ADDRESS).exists():
        log(f"Patients : déjà présents ({Patient.objects.count()})")
        return
    rng = random.Random(2026)
    people = _people(rng)
    establishments = list(Establishment.objects.filter(three_c__isnull=False).select_related("three_c"))
    chu = Establishment.objects.filter(name=CHU).select_related("three_c").first()
    users = {user.email: user for user in User.objects.select_related("professional")}
    creators = [
        users.get(email)
        for email in (
            "secretaire.medicale@demo.dcc.test",
            "medecin@demo.dcc.test",
            "secretaire.3c@demo.dcc.test",
            "annonce@demo.dcc.test",
        )
    ]
    creators = [user for user in creators if user is not None]
    gp = users.get("medecin.traitant@demo.dcc.test")
    now = timezone.now()

    patients = []
    for person in people:
        status = person["rniv_status"]
        origin = rng.choice([IdentityOrigin.UI] * 6 + [IdentityOrigin.INTEROP] * 3 + [IdentityOrigin.INSI])
        patients.append(
            Patient(
                birth_name=person["birth_name"],
                first_given_name=person["first_given_name"],
                given_names=person["given_names"],
                sex=person["sex"],
                birth_date=person["birth_date"],
                birth_place_code=person["birth_place_code"],
                used_name=person.get("used_name", ""),
                ins_matricule=person.get("ins_matricule", ""),
                ins_oid=INS_OID_TEST if person.get("ins_matricule") else "",
                rniv_status=status,
                proof_document=ProofDocument.CNI if status in (RnivStatus.VALIDEE, RnivStatus.QUALIFIEE) else "",
                proof_checked_at=now if status in (RnivStatus.VALIDEE, RnivStatus.QUALIFIEE) else None,
                insi_checked_at=now if person.get("ins_matricule") else None,
                origin=origin,
                created_by=rng.choice(creators) if creators and origin == IdentityOrigin.UI else None,
                general_practitioner=gp.professional if gp and person["index"] % 9 == 0 else None,
            )
        )
    for index, changes in DUPLICATES:
        original = patients[index]
        twin = Patient(
            **{
                field: getattr(original, field)
                for field in (
                    "birth_name",
                    "first_given_name",
                    "given_names",
                    "sex",
                    "birth_date",
                    "birth_place_code",
                    "used_name",
                    "origin",
                    "created_by",
                )
            }
        )
        for field, change in changes.items():
            if field == "swap_day_month" and twin.birth_date.day <= 12:
                twin.birth_date = twin.birth_date.replace(month=twin.birth_date.day, day=twin.birth_date.month)
            elif callable(change):
                setattr(twin, field, change(getattr(twin, field)))
        twin.rniv_status = RnivStatus.PROVISOIRE
        patients.append(twin)
    # Provisional identities that the local INSi teleservice knows (CR 00, or 02 for MARTINEAU).
    for identity in TEST_IDENTITIES[:-2]:
        patients.append(
            Patient(
                birth_name=identity.birth_name,
                first_given_name=identity.given_names.split(" ")[0],
                given_names=identity.given_names,
                sex=identity.sex,
                birth_date=identity.birth_date,
                birth_place_code=identity.birth_place_code if identity.birth_name != "MARTINEAU" else "",
                origin=IdentityOrigin.UI,
                created_by=creators[0] if creators else None,
            )
        )
    for patient in patients:
        patient.address = DEMO_ADDRESS  # also the idempotence marker
    Patient.objects.bulk_create(patients, batch_size=500)

    links, changes, ipps = [], [], []
    for position, patient in enumerate(patients):
        establishment = chu if chu and (position % 5 < 2 or position >= TOTAL) else rng.choice(establishments)
        links.append(
            CareRelationship(
                patient=patient,
                kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
                establishment=establishment,
                source=DEMO_SOURCE,
            )
        )
        if establishment.three_c_id:
            links.append(
                CareRelationship(
                    patient=patient,
                    kind=CareRelationshipKind.THREE_C,
                    three_c_id=establishment.three_c_id,
                    source=DEMO_SOURCE,
                )
            )
        if patient.created_by_id:
            links.append(
                CareRelationship(
                    patient=patient,
                    kind=CareRelationshipKind.IDENTITY_CREATOR,
                    user_id=patient.created_by_id,
                    source=DEMO_SOURCE,
                )
            )
        if patient.general_practitioner_id:
            links.append(
                CareRelationship(
                    patient=patient,
                    kind=CareRelationshipKind.GENERAL_PRACTITIONER,
                    professional_id=patient.general_practitioner_id,
                    source=DEMO_SOURCE,
                )
            )
        if establishment.oid or position % 3 == 0:
            ipps.append(LocalIdentifier(patient=patient, establishment=establishment, value=f"{800000 + position}"))
        changes.append(
            IdentityChange(
                patient=patient,
                user_id=patient.created_by_id,
                kind=ChangeKind.CREATE,
                reason="Jeu de démonstration",
                after={"rniv_status": patient.rniv_status},
            )
        )
    CareRelationship.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
    LocalIdentifier.objects.bulk_create(ipps, batch_size=1000, ignore_conflicts=True)
    IdentityChange.objects.bulk_create(changes, batch_size=1000)
    log(f"Patients : {len(patients)} identités de démonstration, {len(links)} liens de prise en charge")
