"""One row per message and recipient, and the log of its states."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from interop.outbox.enums import Channel, OutboxState


class OutboxMessageQuerySet(models.QuerySet):
    def in_flight(self):
        return self.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING, OutboxState.RETRYING])


class OutboxMessage(models.Model):
    """A send to one recipient through one channel (MSSanté, HL7), from its cause to its last receipt."""

    channel = models.CharField("canal", max_length=16, choices=Channel.choices)
    kind = models.CharField("nature", max_length=32, help_text="« document », « gp_notice », « mdm »…")
    state = models.CharField("état", max_length=20, choices=OutboxState.choices, default=OutboxState.PENDING)
    recipient_address = models.CharField(
        "adresse du destinataire", max_length=254, blank=True, help_text="Adresse MSSanté ou clé du partenaire HL7."
    )
    recipient_label = models.CharField("destinataire", max_length=255, blank=True)
    professional = models.ForeignKey(
        "directory.Professional",
        verbose_name="professionnel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    establishment = models.ForeignKey(
        "directory.Establishment",
        verbose_name="établissement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    patient = models.ForeignKey(
        "identity.Patient",
        verbose_name="patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    document = models.ForeignKey(
        "records.Document",
        verbose_name="document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    source_type = models.CharField("cause (type)", max_length=100, blank=True)
    source_id = models.CharField("cause (identifiant)", max_length=64, blank=True)
    payload = models.JSONField("contenu", default=dict, blank=True)
    message_id = models.CharField("identifiant du message", max_length=255, unique=True, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", null=True, blank=True)
    last_attempt_at = models.DateTimeField("dernière tentative", null=True, blank=True)
    # Set by the beat when it queues the row again: not again until a worker has tried it (or a long while).
    requeued_at = models.DateTimeField("remis en file le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    delivered_at = models.DateTimeField("délivré le", null=True, blank=True)
    read_at = models.DateTimeField("lu le", null=True, blank=True)
    last_code = models.CharField("dernier code", max_length=32, blank=True)
    last_detail = models.CharField("signification", max_length=500, blank=True)
    dedupe_key = models.CharField("clé d'unicité", max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resent_from = models.ForeignKey(
        "self",
        verbose_name="renvoi de",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resends",
    )

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "message sortant"
        verbose_name_plural = "messages sortants"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["source_type", "source_id"], name="outbox_source"),
            models.Index(fields=["channel", "recipient_address"], name="outbox_recipient"),
        ]

    def __str__(self) -> str:
        recipient = self.recipient_label or self.recipient_address
        return f"{self.get_channel_display()} → {recipient} ({self.get_state_display()})"

    @property
    def state_tone(self) -> str:
        """The state badge's Bootstrap colour: delivered or read, definitive or temporary failure, cancelled."""
        tones = {
            OutboxState.DELIVERED: "success",
            OutboxState.READ: "success",
            OutboxState.FAILED: "danger",
            OutboxState.RETRYING: "warning",
            OutboxState.CANCELLED: "secondary",
        }
        return tones.get(self.state, "info")


class OutboxTransition(models.Model):
    """One state change of a message, with the code and French meaning that caused it."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField("de", max_length=20, choices=OutboxState.choices, blank=True)
    to_state = models.CharField("vers", max_length=20, choices=OutboxState.choices)
    at = models.DateTimeField("le", default=timezone.now)
    code = models.CharField("code", max_length=32, blank=True)
    detail = models.CharField("détail", max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "changement d'état d'un envoi"
        verbose_name_plural = "changements d'état des envois"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state}"
