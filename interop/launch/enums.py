from django.db import models


class KeyAlgorithm(models.TextChoices):
    """JWS algorithms accepted for launch tokens (asymmetric only)."""

    ED25519 = "Ed25519", "Ed25519 (EdDSA)"
    ES256 = "ES256", "ES256 (ECDSA P-256)"


class LaunchTarget(models.TextChoices):
    """Where a launch lands (the ``target`` claim)."""

    PATIENT = "patient", "Dossier du patient"
    DEMANDE_AVIS = "demande_avis", "Nouvelle demande d'avis pour le patient"
