from django.db import models


class CareRelationshipKind(models.TextChoices):
    """Why someone is part of a patient's care (and so may open the record)."""

    IDENTITY_CREATOR = "identity_creator", "A créé l'identité"
    REQUESTING_DOCTOR = "requesting_doctor", "Médecin demandeur"
    RCP_MEMBER = "rcp_member", "Membre d'une RCP où le patient est inscrit"
    RCP_PARTICIPANT = "rcp_participant", "Participant à une séance où le patient a été discuté"
    TREATING_ESTABLISHMENT = "treating_establishment", "Établissement qui prend en charge le patient"
    THREE_C = "three_c", "3C concerné"
    GENERAL_PRACTITIONER = "general_practitioner", "Médecin traitant prévenu"
    PPS_AUTHOR = "pps_author", "Auteur d'un PPS"


class TrailAction(models.TextChoices):
    READ = "read", "Consultation"
    SEARCH = "search", "Recherche"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    DELETE = "delete", "Suppression"
    DOWNLOAD = "download", "Téléchargement"
    PRINT = "print", "Impression"
    SEND = "send", "Envoi"
    EXPORT = "export", "Export"
    MERGE = "merge", "Fusion d'identités"
    BREAK_GLASS = "break_glass", "Bris de glace"
    ACCESS_DENIED = "access_denied", "Accès refusé"
    LOGIN = "login", "Connexion"
    LOGIN_FAILED = "login_failed", "Échec de connexion"
    LOGOUT = "logout", "Déconnexion"
    IMPERSONATE = "impersonate", "Début de connexion en tant que"
    IMPERSONATE_END = "impersonate_end", "Fin de connexion en tant que"
    TAMPERING = "tampering", "Requête falsifiée rejetée"


class DocumentStatus(models.TextChoices):
    CURRENT = "current", "Version en vigueur"
    REPLACED = "replaced", "Remplacé par une version plus récente"
    WITHDRAWN = "withdrawn", "Retiré par l'émetteur"


class DocumentOrigin(models.TextChoices):
    PRODUCED = "produced", "Produit par le DCC"
    UPLOADED = "uploaded", "Déposé"
    INTEROP = "interop", "Reçu par interopérabilité"
    MIGRATION = "migration", "Reprise de données"


class Confidentiality(models.TextChoices):
    """x_BasicConfidentialityKind, as in the CDA header."""

    NORMAL = "N", "Normale"
    RESTRICTED = "R", "Restreinte"
    VERY_RESTRICTED = "V", "Très restreinte"


class ValidationStatus(models.TextChoices):
    VALID = "valid", "Conforme"
    INVALID = "invalid", "Non conforme"
    NOT_APPLICABLE = "not_applicable", "Sans objet (pas de CDA)"


class GenerationStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    SUCCEEDED = "succeeded", "Document prêt"
    FAILED = "failed", "Échec"


# What each producer (``settings.DCC_DOCUMENT_PRODUCERS``) makes documents of, as the record names it to users.
DOCUMENT_SOURCE_LABELS = {
    "rcp.ficheversion": "Fiche RCP validée",
    "rcp.concertation": "Compte rendu de concertation",
    "pps.pps": "PPS",
    "pps.ppac": "PPAC",
}


# LOINC document codes (JDV_J07) the record knows by name.
DOCUMENT_TYPES = {
    "34794-8": "CR de réunion de concertation pluridisciplinaire",
    "18776-5": "Plan personnalisé de soins",
    "11526-1": "CR d'anatomie et de cytologie pathologiques",
    "11488-4": "Note de consultation",
    "18748-4": "CR d'imagerie médicale",
    "34133-9": "Synthèse d'épisode de soins",
}


class QuarantineStatus(models.TextChoices):
    PENDING = "pending", "À traiter"
    ATTACHED = "attached", "Rattaché à un dossier"
    REJECTED = "rejected", "Rejeté"
