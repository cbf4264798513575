"""HL7 partners, every message in and out with the ACK, and the identity-vigilance queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from dcc.directory.models import Establishment
from interop.hl7.enums import (
    AckCode,
    Direction,
    MessageKind,
    MessageOutcome,
    VigilanceKind,
    VigilanceStatus,
)


def _all_kinds() -> list[str]:
    return list(MessageKind.values)


class Partner(models.Model):
    """A hospital application (MSH-3 sending application, MSH-4 facility) registered for an establishment.

    Inbound: only registered, active partners are accepted, for the message types they may send.
    Outbound: a partner that ``receives_documents`` gets the DCC's FRCP/PPS/PPAC of the establishment's
    patients as MDM^T02/T10 at ``host:port``.
    """

    establishment = models.ForeignKey(
        Establishment, verbose_name="établissement", on_delete=models.PROTECT, related_name="hl7_partners"
    )
    application = models.CharField("application émettrice (MSH-3)", max_length=100)
    facility = models.CharField("structure émettrice (MSH-4)", max_length=100)
    allowed_kinds = ArrayField(
        models.CharField(max_length=3, choices=MessageKind.choices),
        verbose_name="messages autorisés",
        default=_all_kinds,
        blank=True,
    )
    is_active = models.BooleanField("actif", default=True)
    receives_documents = models.BooleanField(
        "abonné aux documents du DCC",
        default=False,
        help_text="Reçoit chaque fiche RCP, PPS et PPAC produit pour les patients de l'établissement (MDM^T02/T10).",
    )
    host = models.CharField("hôte MLLP du partenaire", max_length=255, blank=True)
    port = models.PositiveIntegerField("port MLLP du partenaire", null=True, blank=True)
    use_tls = models.BooleanField("TLS vers le partenaire", default=False)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "partenaire HL7"
        verbose_name_plural = "partenaires HL7"
        ordering = ["application", "facility"]
        constraints = [models.UniqueConstraint(fields=["application", "facility"], name="hl7_unique_partner")]

    def __str__(self) -> str:
        return f"{self.application}@{self.facility} ({self.establishment.name})"

    @property
    def key(self) -> str:
        """The outbox ``recipient_address`` of this partner."""
        return f"hl7:{self.application}@{self.facility}"

    def may_send(self, message_type: str) -> bool:
        return message_type in (self.allowed_kinds or [])


class MessageQuerySet(models.QuerySet):
    def inbound(self):
        return self.filter(direction=Direction.INBOUND)

    def outbound(self):
        return self.filter(direction=Direction.OUTBOUND)

    def errors(self):
        return self.filter(ack_code__in=[AckCode.ERROR, AckCode.REJECT])


class Message(models.Model):
    """One HL7 message received or sent, stored raw with the ACK (sent or received)."""

    direction = models.CharField("sens", max_length=3, choices=Direction.choices)
    partner = models.ForeignKey(
        Partner, verbose_name="partenaire", on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    sending_application = models.CharField("MSH-3", max_length=180, blank=True)
    sending_facility = models.CharField("MSH-4", max_length=180, blank=True)
    message_type = models.CharField("type (MSH-9)", max_length=40, blank=True)
    control_id = models.CharField("identifiant (MSH-10)", max_length=199, blank=True)
    raw = models.TextField("message", blank=True)
    size = models.PositiveIntegerField("taille (octets)", default=0)
    peer = models.CharField("pair réseau", max_length=100, blank=True)
    received_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    processed_at = models.DateTimeField("traité le", null=True, blank=True)
    outcome = models.CharField("résultat", max_length=12, choices=MessageOutcome.choices)
    ack_code = models.CharField("accusé (MSA-1)", max_length=2, choices=AckCode.choices, blank=True)
    ack = models.TextField("accusé", blank=True)
    error_code = models.CharField("erreur HL7 (ERR-3)", max_length=8, blank=True)
    app_error_code = models.CharField("erreur CI-SIS (ERR-5)", max_length=8, blank=True)
    error_text = models.TextField("erreur", blank=True)
    summary = models.CharField("résumé", max_length=255, blank=True)
    patient = models.ForeignKey(
        "identity.Patient", on_delete=models.SET_NULL, null=True, blank=True, related_name="hl7_messages"
    )
    document = models.ForeignKey(
        "records.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="hl7_messages"
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name="rejeu de", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    replayed_from = models.ForeignKey(
        "self",
        verbose_name="relancé depuis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replays",
    )
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outbox_id = models.BigIntegerField("message de l'outbox", null=True, blank=True, db_index=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "message HL7"
        verbose_name_plural = "messages HL7"
        ordering = ["-received_at", "-id"]
        constraints = [
            # A control id is processed once per partner: replays are stored as duplicates of the first.
            models.UniqueConstraint(
                fields=["partner", "control_id"],
                condition=models.Q(direction="in", duplicate_of__isnull=True, replayed_from__isnull=True)
                & ~models.Q(control_id=""),
                name="hl7_inbound_control_id_once",
            )
        ]
        indexes = [models.Index(fields=["direction", "partner", "received_at"], name="hl7_message_partner_day")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.message_type or '?'} {self.control_id or '(sans MSH-10)'}"

    @property
    def partner_label(self) -> str:
        if self.partner_id:
            return f"{self.partner.application}@{self.partner.facility}"
        return f"{self.sending_application or '?'}@{self.sending_facility or '?'} (inconnu)"


class VigilanceItem(models.Model):
    """An identity change the feed did not apply: a human of the identity-vigilance cell decides."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="vigilance_items")
    kind = models.CharField("nature", max_length=12, choices=VigilanceKind.choices)
    status = models.CharField(
        "statut", max_length=10, choices=VigilanceStatus.choices, default=VigilanceStatus.PENDING, db_index=True
    )
    patient = models.ForeignKey(
        "identity.Patient",
        verbose_name="identité locale",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    other_patient = models.ForeignKey(
        "identity.Patient",
        verbose_name="autre identité",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ins_matricule = models.CharField("matricule INS reçu", max_length=15, blank=True)
    ins_oid = models.CharField("OID reçu", max_length=32, blank=True)
    received = models.JSONField("identité reçue", default=dict, blank=True)
    reason = models.TextField("motif")
    created_at = models.DateTimeField("reçu le", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    note = models.TextField("note", blank=True)

    class Meta:
        verbose_name = "signalement d'identitovigilance"
        verbose_name_plural = "file d'identitovigilance"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d/%m/%Y})"

    @property
    def is_pending(self) -> bool:
        return self.status == VigilanceStatus.PENDING
