from django.db import models


class Profile(models.TextChoices):
    """The regional DCC's user profiles (a user may hold several, each with its own scope)."""

    MEDECIN = "medecin", "Médecin / Pharmacien / Interne"
    SECRETAIRE_MEDICALE = "secretaire_medicale", "Secrétaire médicale"
    SECRETAIRE_3C = "secretaire_3c", "Secrétaire 3C"
    ANNONCE_PPS = "annonce_pps", "Annonce PPS"
    LECTURE_SEULE = "lecture_seule", "Lecture seule"
    CRCDC = "crcdc", "CRCDC"
    REGISTRE = "registre", "Registre"
    ARC = "arc", "ARC"
    ADMIN_REGIONAL = "admin_regional", "Administrateur régional"


# Profiles whose holders work on identified patients (one-time codes will be mandatory for them).
PATIENT_CARE_PROFILES = frozenset(
    {Profile.MEDECIN, Profile.SECRETAIRE_MEDICALE, Profile.SECRETAIRE_3C, Profile.ANNONCE_PPS}
)
# Read-only profiles (restricted reads and exports).
READ_ONLY_PROFILES = frozenset({Profile.LECTURE_SEULE, Profile.CRCDC, Profile.REGISTRE, Profile.ARC})

# When a user holds several profiles, the home page follows the first in this order.
HOME_PRIORITY = [
    Profile.ADMIN_REGIONAL,
    Profile.SECRETAIRE_3C,
    Profile.MEDECIN,
    Profile.SECRETAIRE_MEDICALE,
    Profile.ANNONCE_PPS,
    Profile.REGISTRE,
    Profile.CRCDC,
    Profile.ARC,
    Profile.LECTURE_SEULE,
]
