"""Dossiers (demandes d'avis) registered to a session, their attachments and transition log, the fiche RCP and
its signed versions, and the CR de concertation."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models

from dcc.directory.models import Professional
from dcc.records.models import Document
from identity.models import Patient
from rcp.enums import (
    DOSSIER_TRANSITIONS,
    DiscoveryMode,
    DossierMotive,
    DossierStatus,
    Nature,
    TnmKind,
)
from rcp.models.catalogue import Rcp, Session


class Dossier(models.Model):
    """A patient's case registered to a session (demande d'avis). Status changed only by services."""

    session = models.ForeignKey(Session, verbose_name="séance", on_delete=models.PROTECT, related_name="dossiers")
    patient = models.ForeignKey(Patient, verbose_name="patient", on_delete=models.PROTECT, related_name="rcp_dossiers")
    requesting_doctor = models.ForeignKey(
        Professional, verbose_name="médecin demandeur", on_delete=models.PROTECT, related_name="rcp_requests"
    )
    motive = models.CharField("motif", max_length=20, choices=DossierMotive.choices)
    question = models.TextField("question posée")
    status = models.CharField("statut", max_length=16, choices=DossierStatus.choices, default=DossierStatus.DRAFT)
    position = models.PositiveIntegerField("ordre de passage", default=0)
    is_late = models.BooleanField("inscription hors délai", default=False)
    previous = models.OneToOneField(
        "self",
        verbose_name="dossier d'origine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_dossier",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    attachments = models.ManyToManyField(
        Document, verbose_name="pièces jointes", through="DossierAttachment", related_name="rcp_dossiers", blank=True
    )

    class Meta:
        verbose_name = "dossier RCP"
        verbose_name_plural = "dossiers RCP"
        ordering = ["session", "position", "pk"]
        indexes = [
            models.Index(fields=["session", "position"]),
            models.Index(fields=["patient", "-created_at"]),
            # The open dossiers (draft, registered, presented) are few among all: the work lists find them by status.
            models.Index(fields=["status", "session"]),
        ]

    def __str__(self) -> str:
        return f"Dossier {self.pk} — {self.session}"

    # The status as the templates ask it (no raw enum value in a template).
    @property
    def is_draft(self) -> bool:
        return self.status == DossierStatus.DRAFT

    @property
    def is_in_discussion(self) -> bool:
        """Registered or presented: discussed in its session, its fiche not signed yet."""
        return self.status in (DossierStatus.REGISTERED, DossierStatus.PRESENTED)

    @property
    def is_cancellable(self) -> bool:
        """A draft or a registered dossier may still be cancelled (``DOSSIER_TRANSITIONS``)."""
        return DossierStatus.CANCELLED in DOSSIER_TRANSITIONS[self.status]


class DossierAttachment(models.Model):
    """A document of the patient's record attached to a demande d'avis (CR-ACP, imaging report, previous FRCP…)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attached_documents")
    document = models.ForeignKey(Document, verbose_name="document", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe de dossier RCP"
        verbose_name_plural = "pièces jointes de dossier RCP"
        ordering = ["-document__act_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "document"], name="unique_dossier_attachment")]

    def __str__(self) -> str:
        return f"{self.document.title} — dossier {self.dossier_id}"


class DossierTransition(models.Model):
    """The log of a dossier's status changes."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=DossierStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=DossierStatus.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "historique de dossier"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.from_status or '∅'} → {self.to_status}"


# Coded fields of the fiche → the value set (key of FICHE_VALUE_SETS) their code must belong to.
FICHE_CODED_FIELDS: dict[str, str] = {
    "topography_code": "tumeur",
    "morphology_code": "morphologie",
    "laterality_code": "lateralite",
    "ecog_code": "ecog",
    "phase_code": "phase_cancer",
    "appareil_code": "rcp_appareil",
    "organe_code": "rcp_organe",
    "treatment_care_code": "traitement_soins",
}
# What copy-forward brings from the patient's previous fiche: the disease, not this discussion.
FICHE_COPY_FORWARD_FIELDS = (
    "nature",
    "appareil_code",
    "organe_code",
    "treatment_care_code",
    "discovery_mode",
    "discovery_date",
    "diagnosis_date",
    "topography_code",
    "morphology_code",
    "laterality_code",
    "phase_code",
    "tnm_kind",
    "tnm_edition",
    "tnm_t",
    "tnm_n",
    "tnm_m",
    "tnm_stage",
    "ecog_code",
    "history",
    "previous_treatments",
)
# The content of a fiche: what the form edits, what a version snapshots (the disease, then this discussion).
FICHE_CONTENT_FIELDS = (
    *FICHE_COPY_FORWARD_FIELDS,
    "case_summary",
    "question",
    "treatments",
    "surveillance_only",
    "complementary_exams",
    "representation_requested",
    "proposition",
    "guideline_conform",
    "guideline",
    "guideline_justification",
    "clinical_trial_proposed",
    "clinical_trial",
    "dossier_complete",
)


class Fiche(models.Model):
    """The fiche RCP of a dossier: INCa minimal items, proposition, quorum, validation.

    ``revision`` grows with every save (optimistic locking: a save based on an older revision is
    refused and shown as a conflict); ``version`` grows with every amendment after validation,
    each validated version being kept in :class:`FicheVersion`.
    """

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="fiche")
    nature = models.CharField("nature de la discussion", max_length=10, choices=Nature.choices, default=Nature.ORGANE)
    appareil_code = models.CharField("appareil", max_length=40, blank=True)
    organe_code = models.CharField("organe", max_length=40, blank=True)
    treatment_care_code = models.CharField("traitement / soins (RCP transversale)", max_length=40, blank=True)
    discovery_mode = models.CharField("mode de découverte", max_length=20, choices=DiscoveryMode.choices, blank=True)
    discovery_date = models.DateField("date de découverte", null=True, blank=True)
    diagnosis_date = models.DateField("date du diagnostic", null=True, blank=True)
    topography_code = models.CharField("topographie (CIM-10)", max_length=40, blank=True)
    morphology_code = models.CharField("morphologie (CIM-O-3)", max_length=40, blank=True)
    laterality_code = models.CharField("latéralité", max_length=40, blank=True)
    phase_code = models.CharField("phase du cancer", max_length=40, blank=True)
    tnm_kind = models.CharField("type de TNM", max_length=2, choices=TnmKind.choices, blank=True)
    tnm_edition = models.CharField("édition TNM", max_length=4, blank=True, default="8")
    tnm_t = models.CharField("T", max_length=10, blank=True)
    tnm_n = models.CharField("N", max_length=10, blank=True)
    tnm_m = models.CharField("M", max_length=10, blank=True)
    tnm_stage = models.CharField("stade", max_length=10, blank=True)
    ecog_code = models.CharField("état général OMS / ECOG", max_length=40, blank=True)
    history = models.TextField("antécédents et comorbidités", blank=True)
    previous_treatments = models.TextField("traitements antérieurs", blank=True)
    case_summary = models.TextField("résumé du cas", blank=True)
    question = models.TextField("question posée", blank=True)
    # Ranked options: [{"rank": 1, "code": "<jdv-type-traitement-frcp-cisis>", "detail": "…"}].
    treatments = models.JSONField("traitements proposés", default=list, blank=True)
    surveillance_only = models.BooleanField("surveillance seule", default=False)
    complementary_exams = models.TextField("examens complémentaires", blank=True)
    representation_requested = models.BooleanField("à représenter en RCP", default=False)
    proposition = models.TextField("proposition (commentaire)", blank=True)
    guideline_conform = models.BooleanField("conforme au référentiel", null=True, blank=True)
    guideline = models.CharField("référentiel", max_length=200, blank=True)
    guideline_justification = models.TextField("justification de la non-conformité", blank=True)
    clinical_trial_proposed = models.BooleanField("essai clinique proposé", default=False)
    clinical_trial = models.CharField("essai clinique", max_length=200, blank=True)
    dossier_complete = models.BooleanField("dossier complet", default=False)
    # Validation (signature): who, when, quorum then.
    quorum_reached = models.BooleanField("quorum atteint", null=True, blank=True)
    quorum_explanation = models.TextField("quorum", blank=True)
    off_quorum_reason = models.TextField("motif de validation hors quorum", blank=True)
    participants = models.JSONField("participants présents", default=list, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    version = models.PositiveIntegerField("version", default=1)
    revision = models.PositiveIntegerField("révision", default=1)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="reprise de"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "fiche RCP"
        verbose_name_plural = "fiches RCP"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quorum_reached=False, validated_at__isnull=False) | ~models.Q(off_quorum_reason=""),
                name="fiche_off_quorum_needs_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(guideline_conform=False) | ~models.Q(guideline_justification=""),
                name="fiche_non_conform_needs_justification",
            ),
        ]

    def __str__(self) -> str:
        return f"Fiche RCP du dossier {self.dossier_id} (v{self.version})"

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None

    @property
    def tnm_display(self) -> str:
        """« cT3 N1 M0 »: each category keeps its letter even when only the value was typed (« 3 » → « T3 »)."""
        parts = []
        for letter, value in (("T", self.tnm_t), ("N", self.tnm_n), ("M", self.tnm_m)):
            value = (value or "").strip()
            if value:
                parts.append(letter + (value[1:] if value[0].upper() == letter else value))
        return f"{self.tnm_kind or ''}{' '.join(parts)}"

    def content(self) -> dict:
        """The fiche's content as JSON-ready values (dates as ISO strings)."""
        data = {}
        for name in FICHE_CONTENT_FIELDS:
            value = getattr(self, name)
            data[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return data


class FicheVersion(models.Model):
    """A validated version of a fiche, kept unchanged: the first validation and every amendment."""

    fiche = models.ForeignKey(Fiche, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    reason = models.TextField("motif de l'amendement", blank=True)
    quorum_reached = models.BooleanField(null=True)
    off_quorum_reason = models.TextField(blank=True)
    participants = models.JSONField(default=list)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        verbose_name = "version de fiche RCP"
        ordering = ["fiche", "version"]
        constraints = [models.UniqueConstraint(fields=["fiche", "version"], name="unique_fiche_version")]

    def __str__(self) -> str:
        return f"{self.fiche} — version {self.version}"


class Concertation(models.Model):
    """A CR de concertation: an opinion given outside a session (lighter than a fiche RCP).

    Written and signed at once by a doctor, with the colleagues consulted; the proposed
    treatments use the same FRCP value set as the fiche. Never amended: a new one is written.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="rcp_concertations")
    rcp = models.ForeignKey(
        Rcp, verbose_name="RCP de rattachement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requesting_doctor = models.ForeignKey(
        Professional, verbose_name="médecin demandeur", on_delete=models.PROTECT, related_name="+"
    )
    consulted = models.ManyToManyField(Professional, verbose_name="médecins consultés", related_name="+")
    question = models.TextField("question posée")
    opinion = models.TextField("avis")
    treatments = models.JSONField("traitements proposés", default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("signé le", auto_now_add=True)

    class Meta:
        verbose_name = "compte rendu de concertation"
        verbose_name_plural = "comptes rendus de concertation"
        ordering = ["-signed_at"]
        indexes = [models.Index(fields=["patient", "-signed_at"])]

    def __str__(self) -> str:
        return f"Concertation {self.pk} du {self.signed_at:%d/%m/%Y}"
