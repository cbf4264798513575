from django.db import models


class NoticeOutcome(models.TextChoices):
    """What the registration of a dossier meant for the patient's GP (médecin traitant)."""

    NOTIFIED = "prevenu", "Médecin traitant prévenu"
    NO_ADDRESS = "sans_adresse", "Pas d'adresse MSSanté"
    TOO_LATE = "hors_delai", "Séance trop proche pour prévenir"
    NO_GP = "sans_medecin_traitant", "Pas de médecin traitant connu"


NOTICE_SOURCE_TYPE = "rcp.dossier"
NOTICE_KIND = "gp_notice"
