"""The patient record's access layer: who is part of a patient's care, and the access trail.

Documents (produced and imported) join this app with their own issue.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from dcc.directory.models import Establishment, Professional, ThreeC
from dcc.records.enums import (
    DOCUMENT_SOURCE_LABELS,
    CareRelationshipKind,
    Confidentiality,
    DocumentOrigin,
    DocumentStatus,
    GenerationStatus,
    QuarantineStatus,
    TrailAction,
    ValidationStatus,
)


class CareRelationshipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class CareRelationship(models.Model):
    """One link between a patient and a person, an establishment or a 3C taking part in their care.

    Higher layers (RCP registration, PPS authoring, GP notice) add links through
    ``dcc.records.services.care_relationship_add``; ``dcc.records.access`` reads them.
    """

    patient = models.ForeignKey("identity.Patient", on_delete=models.CASCADE, related_name="care_relationships")
    kind = models.CharField("nature", max_length=32, choices=CareRelationshipKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, null=True, blank=True, related_name="care_relationships"
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, null=True, blank=True, related_name="care_relationships"
    )
    three_c = models.ForeignKey(
        ThreeC, on_delete=models.CASCADE, null=True, blank=True, related_name="care_relationships"
    )
    source = models.CharField("origine", max_length=120, blank=True, help_text="Objet qui a créé le lien.")
    created_at = models.DateTimeField("créé le", default=timezone.now)
    ended_at = models.DateTimeField("terminé le", null=True, blank=True)

    objects = CareRelationshipQuerySet.as_manager()

    class Meta:
        verbose_name = "lien de prise en charge"
        verbose_name_plural = "liens de prise en charge"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False)
                | models.Q(professional__isnull=False)
                | models.Q(establishment__isnull=False)
                | models.Q(three_c__isnull=False),
                name="care_relationship_has_a_party",
            ),
            models.UniqueConstraint(
                fields=["patient", "kind", "user", "professional", "establishment", "three_c", "source"],
                nulls_distinct=False,
                name="unique_care_relationship",
            ),
        ]
        indexes = [models.Index(fields=["patient", "ended_at"])]

    def __str__(self) -> str:
        party = self.user or self.professional or self.establishment or self.three_c
        return f"{self.patient} — {party} ({self.get_kind_display()})"


class BreakGlassQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())


class BreakGlassGrant(models.Model):
    """A short-lived, reasoned access to a record outside the care relationships (*bris de glace*)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("identity.Patient", on_delete=models.CASCADE, related_name="break_glass_grants")
    reason = models.TextField("motif")
    opened_at = models.DateTimeField("ouvert le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    alerted_at = models.DateTimeField("alerte envoyée le", null=True, blank=True)

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        verbose_name = "accès exceptionnel (bris de glace)"
        verbose_name_plural = "accès exceptionnels (bris de glace)"
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["user", "patient", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.patient} jusqu'au {self.expires_at:%d/%m/%Y %H:%M}"


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an access trail line."""


class AccessTrailQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("La traçabilité des accès ne peut pas être modifiée.")

    def delete(self):
        raise AppendOnlyError("La traçabilité des accès ne peut pas être supprimée.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("La traçabilité des accès ne peut pas être modifiée.")

    def _raw_delete(self, *args, **kwargs):
        raise AppendOnlyError("La traçabilité des accès ne peut pas être supprimée.")


class AccessTrail(models.Model):
    """One read or write of patient data: who, when, which patient, what, how connected, from where.

    Append-only: the application never updates or deletes a row.
    """

    at = models.DateTimeField("date", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user_label = models.CharField("utilisateur", max_length=255, blank=True)
    patient_id = models.BigIntegerField("patient", null=True, blank=True, db_index=True)
    acting_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="agissant en tant que",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acting_as_label = models.CharField("agissant en tant que (nom)", max_length=255, blank=True)
    action = models.CharField("action", max_length=32, choices=TrailAction.choices)
    object_type = models.CharField("type d'objet", max_length=64, blank=True)
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    connection_method = models.CharField("mode de connexion", max_length=32, blank=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    detail = models.CharField("détail", max_length=500, blank=True)

    objects = AccessTrailQuerySet.as_manager()

    class Meta:
        verbose_name = "trace d'accès"
        verbose_name_plural = "traces d'accès"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient_id", "-at"]),
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["action", "-at"], name="records_trail_action_at"),
            # The user filter is ``icontains``, i.e. ``UPPER(col) LIKE UPPER('%…%')``: trigram indexes on UPPER.
            GinIndex(OpClass(Upper("user_label"), name="gin_trgm_ops"), name="records_trail_user_label_trgm"),
            GinIndex(OpClass(Upper("acting_as_label"), name="gin_trgm_ops"), name="records_trail_acting_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.who} {self.get_action_display()} patient {self.patient_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("La traçabilité des accès ne peut pas être modifiée.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("La traçabilité des accès ne peut pas être supprimée.")

    @property
    def object_label(self) -> str:
        """The object read or written, as a person reads it: « PPS n° 18 », « fiche RCP n° 42 »."""
        if not self.object_type:
            return ""
        from django.apps import apps

        try:
            name = apps.get_model(self.object_type)._meta.verbose_name
        except (LookupError, ValueError):
            name = self.object_type
        name = str(name)
        label = name[:1].upper() + name[1:]
        return f"{label} n° {self.object_id}" if self.object_id else label

    @property
    def connection_label(self) -> str:
        from dcc.accounts.enums import ConnectionMethod

        return dict(ConnectionMethod.choices).get(self.connection_method, self.connection_method or "—")

    @property
    def who(self) -> str:
        """``X`` or, during support impersonation, ``X agissant en tant que Y``."""
        if self.acting_as_label:
            return f"{self.user_label} agissant en tant que {self.acting_as_label}"
        return self.user_label


# --- Documents -----------------------------------------------------------------------------------------------------


class DocumentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(status=DocumentStatus.CURRENT)


def document_upload_to(instance, filename: str) -> str:
    return f"documents/{instance.patient_id}/{instance.set_id}/v{instance.version}/{filename}"


class Document(models.Model):
    """One version of a document of a patient's record (produced by the DCC or imported).

    Versions of the same document share ``set_id``; a new version replaces the previous one, which
    stays readable with the status *replaced*. Files go through Django's storage API with their SHA-256.
    """

    patient = models.ForeignKey("identity.Patient", on_delete=models.PROTECT, related_name="documents")
    type_code = models.CharField("type (code LOINC)", max_length=16)
    type_label = models.CharField("type", max_length=200)
    title = models.CharField("titre", max_length=255)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    author_label = models.CharField("auteur (nom)", max_length=255, blank=True)
    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    act_date = models.DateTimeField("date de l'acte", db_index=True)
    status = models.CharField("statut", max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.CURRENT)
    confidentiality = models.CharField(
        "confidentialité", max_length=1, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    origin = models.CharField("origine", max_length=12, choices=DocumentOrigin.choices)
    document_id = models.CharField("identifiant du document", max_length=128, unique=True)
    set_id = models.CharField("identifiant du lot de versions", max_length=128)
    version = models.PositiveIntegerField("version", default=1)
    replaces = models.OneToOneField(
        "self", verbose_name="remplace", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    pdf_file = models.FileField("PDF", upload_to=document_upload_to, blank=True)
    pdf_sha256 = models.CharField("empreinte SHA-256 du PDF", max_length=64, blank=True)
    cda_file = models.FileField("CDA", upload_to=document_upload_to, blank=True)
    cda_sha256 = models.CharField("empreinte SHA-256 du CDA", max_length=64, blank=True)
    validation_status = models.CharField(
        "conformité", max_length=16, choices=ValidationStatus.choices, default=ValidationStatus.NOT_APPLICABLE
    )
    validation_report = models.TextField("rapport de validation", blank=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    source_type = models.CharField("objet source (app.modèle)", max_length=100, blank=True)
    source_id = models.CharField("identifiant de l'objet source", max_length=64, blank=True)
    created_at = models.DateTimeField("enregistré le", default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-act_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["set_id", "version"], name="unique_document_version"),
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=~models.Q(source_type=""),
                name="unique_document_per_source",
            ),
            models.CheckConstraint(
                condition=~models.Q(pdf_file="") | ~models.Q(cda_file=""), name="document_has_a_file"
            ),
        ]
        indexes = [models.Index(fields=["patient", "-act_date"])]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} — {self.patient}"

    @property
    def is_replaced(self) -> bool:
        return self.status == DocumentStatus.REPLACED


class DocumentGeneration(models.Model):
    """The production of the document of one source object (e.g. one PPS version): the status the UI polls."""

    source_type = models.CharField("objet source (app.modèle)", max_length=100)
    source_id = models.CharField("identifiant de l'objet source", max_length=64)
    patient = models.ForeignKey("identity.Patient", on_delete=models.PROTECT, related_name="document_generations")
    status = models.CharField(
        "statut", max_length=12, choices=GenerationStatus.choices, default=GenerationStatus.PENDING
    )
    failure_reason = models.TextField("raison de l'échec", blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="generation"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("demandé le", default=timezone.now)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "production de document"
        verbose_name_plural = "productions de documents"
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="unique_generation_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source_type}#{self.source_id} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == GenerationStatus.PENDING

    @property
    def is_failed(self) -> bool:
        return self.status == GenerationStatus.FAILED

    @property
    def status_tone(self) -> str:
        """The status badge's Bootstrap colour."""
        return {GenerationStatus.FAILED: "danger", GenerationStatus.SUCCEEDED: "success"}.get(self.status, "info")

    @property
    def source_label(self) -> str:
        """« Fiche RCP validée n° 12 »: what the document is produced from, for the user."""
        return f"{DOCUMENT_SOURCE_LABELS.get(self.source_type, self.source_type)} n° {self.source_id}"

    @property
    def is_stuck(self) -> bool:
        """Still « En attente » after ``DCC_GENERATION_REQUEUE_SECONDS``: nobody picked its task up."""
        if self.status != GenerationStatus.PENDING or self.updated_at is None:
            return False
        waited = (timezone.now() - self.updated_at).total_seconds()
        return waited >= settings.DCC_GENERATION_REQUEUE_SECONDS

    @property
    def can_relaunch(self) -> bool:
        """A failed production, or one stuck « En attente », may be queued again from its page."""
        return self.status == GenerationStatus.FAILED or self.is_stuck


class DocumentTransition(models.Model):
    """Every status change of a document or of a generation, in order."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions")
    generation = models.ForeignKey(
        DocumentGeneration, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions"
    )
    from_status = models.CharField("de", max_length=12, blank=True)
    to_status = models.CharField("vers", max_length=12)
    at = models.DateTimeField("le", default=timezone.now)
    note = models.CharField("note", max_length=500, blank=True)

    class Meta:
        verbose_name = "changement de statut de document"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


def quarantine_upload_to(instance, filename: str) -> str:
    return f"quarantine/{timezone.now():%Y/%m}/{instance.sha256[:16]}-{filename}"


class QuarantinedDocument(models.Model):
    """An imported document that could not be attached to a patient safely; a human attaches or rejects it."""

    file = models.FileField("fichier", upload_to=quarantine_upload_to)
    filename = models.CharField("nom du fichier", max_length=255)
    file_kind = models.CharField("format", max_length=3)  # "pdf" or "cda"
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    type_code = models.CharField("type (code LOINC)", max_length=16, blank=True)
    title = models.CharField("titre", max_length=255, blank=True)
    act_date = models.DateTimeField("date de l'acte", null=True, blank=True)
    origin = models.CharField("origine", max_length=12, choices=DocumentOrigin.choices)
    reason = models.TextField("raison de la mise en quarantaine")
    traits = models.JSONField("identité indiquée par le document", default=dict, blank=True)
    suggested_patient = models.ForeignKey(
        "identity.Patient", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        "statut", max_length=12, choices=QuarantineStatus.choices, default=QuarantineStatus.PENDING
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("reçu le", default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField("traité le", null=True, blank=True)
    resolution_note = models.CharField("note", max_length=500, blank=True)
    document = models.OneToOneField(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "document en quarantaine"
        verbose_name_plural = "documents en quarantaine"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
