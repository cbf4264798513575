"""Choices of the MSSanté app."""

from __future__ import annotations

from django.db import models


class RecipientRole(models.TextChoices):
    GENERAL_PRACTITIONER = "medecin_traitant", "Médecin traitant du patient"
    REQUESTING_DOCTOR = "demandeur", "Médecin demandeur"
    ATTENDING_DOCTORS = "presents", "Médecins présents à la RCP"
    REFERENT = "referent", "Médecin référent"


class ReceivedKind(models.TextChoices):
    DSN = "dsn", "Avis de remise (DSN)"
    MDN = "mdn", "Accusé de lecture (MDN)"
    REPLY = "reponse", "Réponse"
    OTHER = "autre", "Autre message"


class ReceivedStatus(models.TextChoices):
    MATCHED = "rapproche", "Rapproché d'un envoi"
    UNMATCHED = "non_rapproche", "Non rapproché (à examiner)"
    MALFORMED = "illisible", "Illisible (à examiner)"


# The source types the regional admin can write rules for (the producers of documents sent by MSSanté).
DOCUMENT_SOURCES = [
    ("rcp.ficheversion", "Fiche RCP"),
    ("pps.pps", "PPS"),
    ("pps.ppac", "PPAC"),
    ("rcp.concertation", "CR de concertation"),
]
