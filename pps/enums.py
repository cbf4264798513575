from django.db import models

from pps.dates import RuleKind
from pps.edp_types import EdpKind

__all__ = ["EdpKind", "GroupScope", "PpsStatus", "ProtocolKind", "RuleKind", "UpdateReason"]


class GroupScope(models.TextChoices):
    REGIONAL = "regional", "Bibliothèque régionale"
    PERSONAL = "personal", "Groupement personnel"


class PpsStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    VALIDATED = "validated", "Validé"
    DELIVERED = "delivered", "Remis au patient"


class UpdateReason(models.TextChoices):
    """Motif de mise à jour: value set jdv-motif-mise-a-jour-cisis (TA_ASIP and SNOMED CT codes)."""

    RECHUTE = "263855007", "Rechute"
    NON_REPONSE = "MED-103", "Non réponse ou évolution sous traitement"
    REFUS = "MED-104", "Refus de traitement"
    PALLIATIF = "MED-105", "Décision de prise en soins palliatifs"
    FENETRE = "MED-556", "Fenêtre thérapeutique"
    REAJUSTEMENT_PROGRAMME = "MED-560", "Réajustement du programme thérapeutique et de suivi"
    REAJUSTEMENT_SUPPORT = "MED-561", "Réajustement des soins de support et accompagnements"
    ADMINISTRATIF = "GEN-175", "Modification d'informations administratives"
    CALENDRIER = "GEN-176", "Modification de calendrier"
    AUTRE = "GEN-092.08.02", "Autre motif de mise à jour"


UPDATE_REASON_CODE_SYSTEMS = {UpdateReason.RECHUTE: "2.16.840.1.113883.6.96"}
UPDATE_REASON_DEFAULT_CODE_SYSTEM = "1.2.250.1.213.1.1.4.322"


class ProtocolKind(models.TextChoices):
    """The EDP type a protocol's administrations become."""

    CHIMIOTHERAPIE = EdpKind.CHIMIOTHERAPIE.value, EdpKind.CHIMIOTHERAPIE.label
    IMMUNOTHERAPIE = EdpKind.IMMUNOTHERAPIE.value, EdpKind.IMMUNOTHERAPIE.label
    THERAPIE_CIBLEE = EdpKind.THERAPIE_CIBLEE.value, EdpKind.THERAPIE_CIBLEE.label
    HORMONOTHERAPIE = EdpKind.HORMONOTHERAPIE.value, EdpKind.HORMONOTHERAPIE.label
