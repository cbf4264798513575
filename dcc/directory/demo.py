"""Synthetic regional directory for the demo: the 18 3C, their establishments, ~300 professionals.

The 3C and establishment names are public names from the 2024 steering-committee presentation
(13 3C appear there; 5 were added to reach the region's 18). Every professional is invented:
surnames are built from syllables, RPPS numbers use the reserved-looking prefix ``10999`` with
a valid Luhn key, MSS addresses use the ``.test`` domain.
"""

from __future__ import annotations

import random
import unicodedata

from dcc.directory.enums import Civility, EstablishmentType, PracticeRole, Profession
from dcc.directory.models import Establishment, PlaceOfPractice, Professional, Specialty, ThreeC
from dcc.directory.validators import luhn_key

ORDER = 10

# (3C name, department, [(establishment, kind, town)])
REGION: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    ("3C Haute-Vienne", "87", [
        ("CHU DUPUYTREN - LIMOGES", EstablishmentType.CHU, "Limoges"),
        ("POLYCLINIQUE DE LIMOGES - SITE CHENIEUX", EstablishmentType.CLINIQUE, "Limoges"),
        ("POLYCLINIQUE DE LIMOGES - SITE EMAILLEURS-COLOMBIER", EstablishmentType.CLINIQUE, "Limoges"),
    ]),
    ("3C Corrèze", "19", [
        ("CH BRIVE", EstablishmentType.CH, "Brive-la-Gaillarde"),
        ("CH TULLE", EstablishmentType.CH, "Tulle"),
    ]),
    ("3C Vienne, Nord Deux-Sèvres", "86", [
        ("CHU LA MILETRIE - POITIERS", EstablishmentType.CHU, "Poitiers"),
        ("CLINIQUE DU FIEF DE GRIMOIRE - POITIERS", EstablishmentType.CLINIQUE, "Poitiers"),
        ("POLYCLINIQUE DE POITIERS", EstablishmentType.CLINIQUE, "Poitiers"),
    ]),
    ("3C Landes", "40", [
        ("CH DAX", EstablishmentType.CH, "Dax"),
        ("CH MONT DE MARSAN", EstablishmentType.CH, "Mont-de-Marsan"),
        ("GCS MARSAN / CL LANDES", EstablishmentType.GCS, "Mont-de-Marsan"),
    ]),
    ("3C Charente", "16", [
        ("CH ANGOULEME", EstablishmentType.CH, "Angoulême"),
        ("CENTRE CLINICAL ELSAN - SOYAUX", EstablishmentType.CLINIQUE, "Soyaux"),
        ("CERAC - ANGOULEME", EstablishmentType.CENTRE_RADIOTHERAPIE, "Angoulême"),
    ]),
    ("3C Creuse", "23", [
        ("CH GUERET", EstablishmentType.CH, "Guéret"),
        ("CMN SAINTE FEYRE", EstablishmentType.ESPIC, "Sainte-Feyre"),
    ]),
    ("3C Tivoli", "33", [
        ("CLINIQUE TIVOLI-DUCOS", EstablishmentType.CLINIQUE, "Bordeaux"),
        ("POLYCLINIQUE BORDEAUX-TONDU", EstablishmentType.CLINIQUE, "Floirac"),
    ]),
    ("3C Charente-Maritime Sud et Est", "17", [
        ("CH DE SAINTONGE", EstablishmentType.CH, "Saintes"),
    ]),
    ("3C Charente-Maritime Nord", "17", [
        ("GH LA ROCHELLE-RE-AUNIS", EstablishmentType.CH, "La Rochelle"),
    ]),
    ("3C Bayonne", "64", [
        ("CH COTE BASQUE - BAYONNE", EstablishmentType.CH, "Bayonne"),
    ]),
    ("3C Béarn et Soule", "64", [
        ("CH DE PAU", EstablishmentType.CH, "Pau"),
    ]),
    ("3C CHU Bordeaux", "33", [
        ("CHU DE BORDEAUX - HOPITAL PELLEGRIN", EstablishmentType.CHU, "Bordeaux"),
        ("CHU DE BORDEAUX - HOPITAL HAUT-LEVEQUE", EstablishmentType.CHU, "Pessac"),
        ("CHU DE BORDEAUX - HOPITAL SAINT-ANDRE", EstablishmentType.CHU, "Bordeaux"),
    ]),
    ("3C Institut Bergonié", "33", [
        ("INSTITUT BERGONIE", EstablishmentType.CLCC, "Bordeaux"),
    ]),
    ("3C Dordogne", "24", [
        ("CH PERIGUEUX", EstablishmentType.CH, "Périgueux"),
    ]),
    ("3C Lot-et-Garonne", "47", [
        ("CH AGEN-NERAC", EstablishmentType.CH, "Agen"),
    ]),
    ("3C Deux-Sèvres", "79", [
        ("CH NIORT", EstablishmentType.CH, "Niort"),
    ]),
    ("3C Libournais", "33", [
        ("CH LIBOURNE", EstablishmentType.CH, "Libourne"),
    ]),
    ("3C Bordeaux Nord Aquitaine", "33", [
        ("POLYCLINIQUE BORDEAUX NORD AQUITAINE", EstablishmentType.CLINIQUE, "Bordeaux"),
    ]),
]  # fmt: skip

# Towns given a multi-professional health centre (maison de santé) where the demo's GPs practise.
GP_TOWNS = {
    "87": "Saint-Junien",
    "19": "Ussel",
    "86": "Châtellerault",
    "40": "Saint-Sever",
    "16": "Cognac",
    "23": "Aubusson",
    "33": "Langon",
    "17": "Rochefort",
    "64": "Orthez",
    "24": "Sarlat-la-Canéda",
    "47": "Marmande",
    "79": "Bressuire",
}

SPECIALTIES_BY_WEIGHT = [
    ("G15_10/SM36", 4),  # Oncologie médicale
    ("G15_10/SM14", 3),  # Chirurgie viscérale et digestive
    ("G15_10/SM24", 3),  # Gastro-entérologie et hépatologie
    ("G15_10/SM37", 2),  # Oncologie radiothérapie
    ("G15_10/SM01", 2),  # Anatomie et cytologie pathologiques
    ("G15_10/SM44", 2),  # Radio-diagnostic
    ("G15_10/SM41", 2),  # Pneumologie
    ("G15_10/SM12", 2),  # Chirurgie urologique
    ("G15_10/SM20", 2),  # Gynécologie-obstétrique
    ("G15_10/SM21", 1),  # Hématologie
    ("G15_10/SM34", 1),  # ORL et chirurgie cervico-faciale
    ("G15_10/SM15", 1),  # Dermatologie
]
GP_SPECIALTY = "G15_10/SM54"
PHARMACIST_SPECIALTY = "G15_21/H"
NURSE_SPECIALTY = "G15_60"

SURNAME_HEADS = [
    "Ar",
    "Bel",
    "Cas",
    "Dor",
    "Es",
    "Fon",
    "Gar",
    "Her",
    "Lab",
    "Mar",
    "Nau",
    "Or",
    "Pel",
    "Ro",
    "Sau",
    "Tal",
    "Ver",
    "Bra",
    "Cour",
    "Mon",
]
SURNAME_TAILS = [
    "naudet",
    "rieux",
    "tagnol",
    "vignac",
    "béran",
    "courtil",
    "lhac",
    "mazière",
    "ségué",
    "tilhac",
    "doumec",
    "jeantet",
    "roumy",
    "vézac",
    "pradel",
    "sarrou",
    "quillet",
    "bastide",
]
FIRST_NAMES_F = [
    "Camille",
    "Claire",
    "Élise",
    "Hélène",
    "Inès",
    "Juliette",
    "Léa",
    "Lucie",
    "Manon",
    "Marion",
    "Nadia",
    "Pauline",
    "Sophie",
    "Valérie",
    "Anne",
    "Chloé",
    "Émilie",
    "Laure",
    "Mathilde",
    "Sarah",
]
FIRST_NAMES_M = [
    "Antoine",
    "Bruno",
    "Damien",
    "Étienne",
    "François",
    "Guillaume",
    "Hugo",
    "Julien",
    "Karim",
    "Laurent",
    "Mathieu",
    "Nicolas",
    "Olivier",
    "Pierre",
    "Rémi",
    "Samuel",
    "Thomas",
    "Vincent",
    "Yann",
    "Adrien",
]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "-")


def synthetic_finess(department: str, number: int) -> str:
    body = f"{department}99{number:04d}"
    return body + luhn_key(body)


def synthetic_rpps(number: int) -> str:
    body = f"10999{number:05d}"
    return body + luhn_key(body)


def _three_c_code(name: str) -> str:
    return _ascii(name.removeprefix("3C ")).replace(",", "").replace("--", "-")


def seed_region() -> dict[str, Establishment]:
    establishments: dict[str, Establishment] = {}
    number = 0
    for three_c_name, department, sites in REGION:
        three_c, _ = ThreeC.objects.update_or_create(
            code=_three_c_code(three_c_name),
            defaults={
                "name": three_c_name,
                "email": f"secretariat.{_three_c_code(three_c_name)}@3c.demo.test",
            },
        )
        for name, kind, town in sites:
            number += 1
            finess = synthetic_finess(department, number)
            establishment, _ = Establishment.objects.update_or_create(
                finess_geo=finess,
                defaults={
                    "name": name,
                    "kind": kind,
                    "town": town,
                    "postcode": f"{department}000",
                    "three_c": three_c,
                    "finess_legal": synthetic_finess(department, 5000 + number),
                    "oid": f"1.2.250.1.999.1.{finess}",
                },
            )
            establishments[name] = establishment
    for department, town in GP_TOWNS.items():
        number += 1
        name = f"MAISON DE SANTE PLURIPROFESSIONNELLE DE {_ascii(town).upper().replace('-', ' ')}"
        establishment, _ = Establishment.objects.update_or_create(
            finess_geo=synthetic_finess(department, number),
            defaults={
                "name": name,
                "kind": EstablishmentType.CABINET,
                "town": town,
                "postcode": f"{department}000",
                "three_c": None,
            },
        )
        establishments[name] = establishment
    return establishments


def _person(rng: random.Random) -> tuple[str, str, str]:
    female = rng.random() < 0.55
    first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
    last = rng.choice(SURNAME_HEADS) + rng.choice(SURNAME_TAILS)
    return first, last.capitalize(), Civility.MADAME if female else Civility.MONSIEUR


def _professional_rows(establishments: dict[str, Establishment]) -> list[tuple[dict, list[tuple]]]:
    """Deterministic professionals with their places of practice."""
    rng = random.Random(2024)
    weighted = [code for code, weight in SPECIALTIES_BY_WEIGHT for _ in range(weight)]
    rows: list[tuple[dict, list[tuple]]] = []
    number = 0

    def add(profession, specialty, places, *, liberal=False, title=None):
        nonlocal number
        number += 1
        first, last, civility = _person(rng)
        slug = f"{_ascii(first)}.{_ascii(last)}{number}"
        rows.append(
            (
                {
                    "rpps": synthetic_rpps(number),
                    "civility": title or civility,
                    "first_name": first,
                    "last_name": last,
                    "profession": profession,
                    "specialty_id": specialty,
                    "mss_address": f"{slug}@pro.mssante.demo.test",
                    "phone": f"05 49 {number // 100:02d} {number % 100:02d} 00",
                    "is_liberal": liberal,
                },
                places,
            )
        )

    hospitals = [est for est in establishments.values() if est.kind != EstablishmentType.CABINET]
    practices = [est for est in establishments.values() if est.kind == EstablishmentType.CABINET]
    for establishment in hospitals:
        doctors = 10 if establishment.kind in {EstablishmentType.CHU, EstablishmentType.CLCC} else 6
        for index in range(doctors):
            role = PracticeRole.CHEF_SERVICE if index == 0 else PracticeRole.PRATICIEN
            if establishment.kind == EstablishmentType.CLINIQUE:
                role = PracticeRole.LIBERAL
            add(
                Profession.MEDECIN,
                rng.choice(weighted),
                [(establishment, role, True)],
                title=Civility.PROFESSEUR
                if index == 0 and establishment.kind == EstablishmentType.CHU
                else Civility.DOCTEUR,
            )
        add(Profession.PHARMACIEN, PHARMACIST_SPECIALTY, [(establishment, PracticeRole.PHARMACIEN, True)])
        add(
            Profession.INFIRMIER,
            NURSE_SPECIALTY,
            [(establishment, PracticeRole.INFIRMIER_COORDINATEUR, True)],
        )
    # Some specialists also consult in a second establishment of the same 3C.
    by_three_c: dict[int, list[Establishment]] = {}
    for establishment in hospitals:
        by_three_c.setdefault(establishment.three_c_id, []).append(establishment)
    for fields, places in rows:
        siblings = by_three_c.get(places[0][0].three_c_id, [])
        if fields["profession"] == Profession.MEDECIN and len(siblings) > 1 and rng.random() < 0.15:
            other = rng.choice([est for est in siblings if est != places[0][0]])
            places.append((other, PracticeRole.PRATICIEN, False))
    for establishment in practices:
        for _ in range(5):
            add(
                Profession.MEDECIN,
                GP_SPECIALTY,
                [(establishment, PracticeRole.LIBERAL, True)],
                liberal=True,
                title=Civility.DOCTEUR,
            )
    return rows


def seed_professionals(establishments: dict[str, Establishment]) -> int:
    rows = _professional_rows(establishments)
    known = set(Specialty.objects.values_list("code", flat=True))
    Professional.objects.bulk_create(
        [Professional(**fields) for fields, _ in rows if fields["specialty_id"] in known],
        update_conflicts=True,
        unique_fields=["rpps"],
        update_fields=[
            "first_name",
            "last_name",
            "civility",
            "specialty",
            "mss_address",
            "phone",
            "is_liberal",
        ],
    )
    ids = dict(Professional.objects.filter(rpps__startswith="10999").values_list("rpps", "pk"))
    PlaceOfPractice.objects.bulk_create(
        [
            PlaceOfPractice(professional_id=ids[fields["rpps"]], establishment=est, role=role, is_primary=primary)
            for fields, places in rows
            for est, role, primary in places
            if fields["rpps"] in ids
        ],
        ignore_conflicts=True,
    )
    return len(rows)


def seed(context: dict) -> None:
    establishments = seed_region()
    count = seed_professionals(establishments)
    context["establishments"] = establishments
    context["log"](
        f"Annuaire : {ThreeC.objects.count()} 3C, {len(establishments)} établissements, {count} professionnels"
    )
