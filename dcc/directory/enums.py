from django.db import models


class EstablishmentType(models.TextChoices):
    CHU = "chu", "Centre hospitalier universitaire"
    CH = "ch", "Centre hospitalier"
    CLCC = "clcc", "Centre de lutte contre le cancer"
    CLINIQUE = "clinique", "Établissement privé (clinique, polyclinique)"
    ESPIC = "espic", "Établissement privé d'intérêt collectif"
    GCS = "gcs", "Groupement de coopération sanitaire"
    CENTRE_RADIOTHERAPIE = "radiotherapie", "Centre de radiothérapie"
    CABINET = "cabinet", "Cabinet libéral"
    LABORATOIRE = "laboratoire", "Laboratoire d'anatomie et cytologie pathologiques"


class Profession(models.TextChoices):
    MEDECIN = "10", "Médecin"
    PHARMACIEN = "21", "Pharmacien"
    INFIRMIER = "60", "Infirmier"
    SAGE_FEMME = "50", "Sage-femme"
    AUTRE = "autre", "Autre professionnel"


class Civility(models.TextChoices):
    # Values of JDV_J245 (civilité) and JDV_J246 (titre).
    MONSIEUR = "M", "M."
    MADAME = "MME", "Mme"
    DOCTEUR = "DR", "Dr"
    PROFESSEUR = "PR", "Pr"


class PracticeRole(models.TextChoices):
    PRATICIEN = "praticien", "Praticien hospitalier"
    CHEF_SERVICE = "chef_service", "Chef de service"
    ASSISTANT = "assistant", "Assistant / chef de clinique"
    INTERNE = "interne", "Interne"
    LIBERAL = "liberal", "Exercice libéral"
    SALARIE = "salarie", "Salarié"
    INFIRMIER_COORDINATEUR = "ide_coordination", "Infirmier(e) de coordination"
    PHARMACIEN = "pharmacien", "Pharmacien"


class MssMailboxType(models.TextChoices):
    """Kind of MSSanté mailbox, as the Annuaire Santé types it (TRE_R256-TypeMessagerie)."""

    PER = "PER", "Personnelle"
    ORG = "ORG", "Organisationnelle"
    APP = "APP", "Applicative"
    CAB = "CAB", "Cabinet"


class MssAddressStatus(models.TextChoices):
    ACTIVE = "active", "Utilisable"
    INVALID = "invalid", "Marquée invalide"
    REPLACED = "replaced", "Corrigée (remplacée)"


class MssAddressAction(models.TextChoices):
    IMPORTED = "imported", "Importée de l'annuaire"
    CORRECTED = "corrected", "Adresse corrigée"
    MARKED_INVALID = "marked_invalid", "Marquée invalide"
    REACTIVATED = "reactivated", "Remise en service"
