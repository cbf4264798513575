"""The GP notice of each registered dossier, the regional delay setting, and the GP's contributions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from dcc.directory.models import Professional
from identity.models import Patient
from rcp.gp.enums import NoticeOutcome
from rcp.gp.rules import DEFAULT_DELAY_WORKING_DAYS


class GpNoticeSettings(models.Model):
    """The region's rule (one row, edited by the regional administrator): how far ahead a session must be."""

    delay_working_days = models.PositiveSmallIntegerField(
        "délai minimal (jours ouvrés)",
        default=DEFAULT_DELAY_WORKING_DAYS,
        validators=[MaxValueValidator(30)],
        help_text="Le médecin traitant est prévenu si la séance a lieu au moins ce nombre de jours ouvrés "
        "après l'inscription (jours fériés français exclus).",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "réglage de la notification du médecin traitant"
        verbose_name_plural = "réglage de la notification du médecin traitant"

    def __str__(self) -> str:
        return f"{self.delay_working_days} jour(s) ouvré(s)"

    @classmethod
    def current(cls) -> GpNoticeSettings:
        return cls.objects.order_by("pk").first() or cls(delay_working_days=DEFAULT_DELAY_WORKING_DAYS)


class GpNotice(models.Model):
    """What the registration of one dossier meant for the patient's GP (one row per registered dossier).

    ``NOTIFIED`` rows are the dashboard's "dossiers concernés" (a GP with an MSSanté address and the
    delay respected); the MSSanté message itself is an outbox row (source ``rcp.dossier:<id>``, kind
    ``gp_notice``). ``consultations`` counts the GP's openings of the dossier.
    """

    dossier = models.OneToOneField("rcp.Dossier", on_delete=models.CASCADE, related_name="gp_notice")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    professional = models.ForeignKey(
        Professional,
        verbose_name="médecin traitant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gp_notices",
    )
    outcome = models.CharField("résultat", max_length=24, choices=NoticeOutcome.choices)
    recipient_address = models.CharField("adresse MSSanté", max_length=254, blank=True)
    session_starts_at = models.DateTimeField("début de la séance")
    delay_working_days = models.PositiveSmallIntegerField("délai appliqué (jours ouvrés)")
    deadline = models.DateField("inscription au plus tard le")
    created_at = models.DateTimeField("le", auto_now_add=True)
    first_consulted_at = models.DateTimeField("première consultation par le médecin traitant", null=True, blank=True)
    consultations = models.PositiveIntegerField("consultations par le médecin traitant", default=0)

    class Meta:
        verbose_name = "notification du médecin traitant"
        verbose_name_plural = "notifications du médecin traitant"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["professional", "outcome", "session_starts_at"]),
            models.Index(fields=["outcome", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.get_outcome_display()}"

    @property
    def is_notified(self) -> bool:
        return self.outcome == NoticeOutcome.NOTIFIED

    @property
    def is_too_late(self) -> bool:
        return self.outcome == NoticeOutcome.TOO_LATE


def contribution_upload_to(instance, filename: str) -> str:
    return f"rcp/contributions/{instance.patient_id}/{instance.dossier_id}/{filename}"


class GpContribution(models.Model):
    """What the notified GP tells the RCP before the session: a text and an optional file."""

    dossier = models.ForeignKey("rcp.Dossier", on_delete=models.CASCADE, related_name="gp_contributions")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    professional = models.ForeignKey(Professional, verbose_name="médecin traitant", on_delete=models.PROTECT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("message à la RCP")
    attachment = models.FileField("pièce jointe", upload_to=contribution_upload_to, blank=True)
    attachment_name = models.CharField("nom du fichier", max_length=200, blank=True)
    attachment_type = models.CharField("type du fichier", max_length=60, blank=True)
    attachment_size = models.PositiveIntegerField("taille du fichier", default=0)
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "contribution du médecin traitant"
        verbose_name_plural = "contributions du médecin traitant"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Contribution {self.pk} — {self.dossier}"
