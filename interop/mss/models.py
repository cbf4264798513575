"""Recipient rules (data the regional admin edits) and the messages received in the DCC's mailbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from interop.mss.enums import DOCUMENT_SOURCES, ReceivedKind, ReceivedStatus, RecipientRole


class RecipientRule(models.Model):
    """« Tel document part vers tel destinataire » : one role of the document's source per row."""

    source_type = models.CharField("document", max_length=100, choices=DOCUMENT_SOURCES)
    role = models.CharField("destinataire", max_length=32, choices=RecipientRole.choices)
    is_active = models.BooleanField("actif", default=True)
    note = models.CharField("commentaire", max_length=255, blank=True)

    class Meta:
        verbose_name = "règle de diffusion MSSanté"
        verbose_name_plural = "règles de diffusion MSSanté"
        ordering = ["source_type", "role"]
        constraints = [models.UniqueConstraint(fields=["source_type", "role"], name="mss_rule_unique")]

    def __str__(self) -> str:
        return f"{self.get_source_type_display()} → {self.get_role_display()}"


class ReceivedMessage(models.Model):
    """A message read in the DCC's mailbox (or fed by ``mss_ingest``): a DSN, an MDN, a reply, anything else.

    Everything is kept: matched receipts for the history, unmatched and unreadable ones for review.
    """

    received_at = models.DateTimeField("reçu le", default=timezone.now)
    origin = models.CharField("provenance", max_length=255, blank=True, help_text="IMAP ou nom du fichier.")
    kind = models.CharField("nature", max_length=12, choices=ReceivedKind.choices, default=ReceivedKind.OTHER)
    status = models.CharField("statut", max_length=16, choices=ReceivedStatus.choices)
    message_id = models.CharField("identifiant du message reçu", max_length=255, blank=True)
    sha256 = models.CharField("empreinte", max_length=64, unique=True)
    subject = models.CharField("objet", max_length=500, blank=True)
    from_address = models.CharField("expéditeur", max_length=255, blank=True)
    outbox_message = models.ForeignKey(
        "outbox.OutboxMessage",
        verbose_name="envoi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mss_receipts",
    )
    resulting_state = models.CharField("état résultant", max_length=20, blank=True)
    code = models.CharField("code", max_length=32, blank=True)
    detail = models.CharField("signification", max_length=500, blank=True)
    raw = models.BinaryField("message brut")
    reviewed_at = models.DateTimeField("examiné le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="examiné par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "message reçu (MSSanté)"
        verbose_name_plural = "messages reçus (MSSanté)"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "received_at"], name="mss_received_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject or self.message_id}"
