from django.db import models


class Direction(models.TextChoices):
    INBOUND = "in", "Reçu"
    OUTBOUND = "out", "Émis"


class AckCode(models.TextChoices):
    """MSA-1 (HL7 table 0008), original mode."""

    ACCEPT = "AA", "Accepté (AA)"
    ERROR = "AE", "Erreur (AE)"
    REJECT = "AR", "Rejeté (AR)"


class MessageKind(models.TextChoices):
    """What a partner may send (MSH-9.1 message types handled by the DCC)."""

    ADT = "ADT", "Identités patients (ADT, IHE PAM France)"
    MDM = "MDM", "Documents (MDM, CI-SIS TRANS-CDA)"
    ORU = "ORU", "Documents (ORU^R01, CI-SIS TRANS-CDA)"


class MessageOutcome(models.TextChoices):
    PROCESSED = "processed", "Traité"
    ERROR = "error", "Erreur"
    REJECTED = "rejected", "Rejeté"
    REPLAY = "replay", "Rejeu (déjà traité)"
    PENDING = "pending", "En attente d'accusé"
    SENT = "sent", "Accusé AA reçu"
    FAILED = "failed", "Échec de l'envoi"


class VigilanceKind(models.TextChoices):
    INS_TRAITS = "ins_traits", "INS en désaccord avec les traits"
    INS_OTHER_PATIENT = "ins_other", "INS déjà porté par un autre patient"
    LOCKED_IDENTITY = "locked", "Identité qualifiée ou récupérée : modification refusée"
    INVALID_INS = "ins_invalid", "INS invalide"
    MERGE_REFUSED = "merge", "Fusion refusée"


class VigilanceStatus(models.TextChoices):
    PENDING = "pending", "À traiter"
    RESOLVED = "resolved", "Traité"
    DISMISSED = "dismissed", "Classé sans suite"


# HL7 table 0357 (message error condition codes) as the CI-SIS volets list them.
HL7_ERRORS = {
    "0": "Message accepté",
    "100": "Erreur de séquence de segments",
    "101": "Champ requis manquant",
    "102": "Erreur de type de donnée",
    "103": "Valeur absente de la table",
    "198": "Cardinalité non conforme",
    "199": "Autre erreur HL7",
    "200": "Type de message non supporté",
    "201": "Code évènement non supporté",
    "202": "Code de traitement non supporté",
    "203": "Version non supportée",
    "207": "Erreur applicative",
}

# CI-SIS applicationErrorCondition (ERR-5), volet TRANS-CDA / LPS-MSS (indicative table).
CISIS_ERRORS = {
    "900": "Version du document incorrecte lors d'une demande de remplacement/suppression",
    "901": "Auteur non autorisé à remplacer ou supprimer un document",
    "902": "Identifiant patient inconnu",
    "903": "INS non présent dans le document",
    "904": "L'INS transmis ne correspond pas exactement à celui stocké dans la base du consommateur",
    "905": "L'INS transmis n'est pas complet",
    "906": "Erreur « Autre »",
}
