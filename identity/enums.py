from django.db import models


class Sex(models.TextChoices):
    # JDV_J143 AdministrativeGender (HL7): F, M, U.
    FEMALE = "F", "Féminin"
    MALE = "M", "Masculin"
    UNKNOWN = "U", "Inconnu"


class RnivStatus(models.TextChoices):
    """Identity statuses of the Référentiel National d'IdentitoVigilance."""

    PROVISOIRE = "provisoire", "Identité provisoire"
    RECUPEREE = "recuperee", "Identité récupérée"
    VALIDEE = "validee", "Identité validée"
    QUALIFIEE = "qualifiee", "Identité qualifiée"


class IdentityOrigin(models.TextChoices):
    UI = "ui", "Saisie dans le DCC"
    INTEROP = "interop", "Interopérabilité"
    INSI = "insi", "Téléservice INSi"
    MIGRATION = "migration", "Reprise de données"


INS_OID_NIR = "1.2.250.1.213.1.4.8"
INS_OID_NIA = "1.2.250.1.213.1.4.9"
INS_OID_TEST = "1.2.250.1.213.1.4.10"
