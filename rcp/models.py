"""RCP catalogue (mentions, tags, members, quorum rule), agenda (recurrences, sessions) and attendance.

Dossiers (registrations) and fiches hang off :class:`Session` in a later step: a session has a
status with a transition log, a registration deadline derived from its RCP and a capacity.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from dcc.directory.models import Establishment, Professional, Specialty, ThreeC
from dcc.records.models import Document
from identity.models import Patient
from rcp.enums import (
    AttendanceMode,
    DiscoveryMode,
    DossierMotive,
    DossierStatus,
    MemberRole,
    Nature,
    RecurrenceKind,
    SessionStatus,
    TnmKind,
    Weekday,
    WeekOfMonth,
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class MentionCategory(models.Model):
    """A mention of the 2023 authorisation reform (A, B, Pôle régional, Rare labellisé, C)."""

    code = models.CharField("mention", max_length=40, unique=True)
    label = models.CharField("description", max_length=200)
    information = models.TextField("information", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "catégorie de mention"
        verbose_name_plural = "catégories de mention"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class SpecialtyTag(models.Model):
    """A specialty tag given to RCPs (A1, B1, CRSC, "Atteintes péritonéales Foie"…)."""

    code = models.CharField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=200)
    mention = models.ForeignKey(
        MentionCategory, verbose_name="mention", on_delete=models.PROTECT, related_name="tags", null=True, blank=True
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "tag de spécialité de RCP"
        verbose_name_plural = "tags de spécialité de RCP"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} - {self.label}" if self.label != self.code else self.code


class RcpQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Rcp(models.Model):
    """A tumour board (réunion de concertation pluridisciplinaire) of a 3C."""

    title = models.CharField("intitulé", max_length=200)
    three_c = models.ForeignKey(ThreeC, verbose_name="3C", on_delete=models.PROTECT, related_name="rcps")
    establishment = models.ForeignKey(
        Establishment, verbose_name="établissement organisateur", on_delete=models.PROTECT, related_name="rcps"
    )
    nature = models.CharField("nature", max_length=10, choices=Nature.choices, default=Nature.ORGANE)
    organ = models.CharField(
        "appareil / organe ou thème", max_length=120, blank=True, help_text="Par exemple : digestif, sein, ORL."
    )
    is_haematology = models.BooleanField("RCP d'hématologie", default=False)
    is_recourse = models.BooleanField("RCP de recours", default=False)
    is_paediatric = models.BooleanField("RCP pédiatrique", default=False)
    tags = models.ManyToManyField(SpecialtyTag, verbose_name="tags", blank=True, related_name="rcps")
    default_place = models.CharField("lieu habituel", max_length=200, blank=True)
    video_link = models.URLField("lien de visioconférence", blank=True)
    registration_deadline_days = models.PositiveSmallIntegerField(
        "délai d'inscription (jours avant la séance)", default=2
    )
    max_dossiers = models.PositiveSmallIntegerField("nombre maximum de dossiers par séance", default=30)
    # Quorum rule (INCa: at least three specialties, including the patient's treating one).
    quorum_min_specialties = models.PositiveSmallIntegerField("nombre minimum de spécialités distinctes", default=3)
    quorum_requires_treating_specialty = models.BooleanField(
        "la spécialité du médecin référent du patient doit être présente", default=True
    )
    quorum_requires_surgeon = models.BooleanField("un chirurgien doit être présent", default=True)
    quorum_required_specialties = models.ManyToManyField(
        Specialty, verbose_name="spécialités obligatoires", blank=True, related_name="+"
    )
    is_active = models.BooleanField("active", default=True)
    ics_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RcpQuerySet.as_manager()

    class Meta:
        verbose_name = "RCP"
        verbose_name_plural = "RCP"
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum_min_specialties__gte=1), name="rcp_quorum_at_least_one_specialty"
            ),
            models.CheckConstraint(condition=models.Q(max_dossiers__gte=1), name="rcp_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_name(self) -> str:
        """ "Tumeurs digestives (CHU LA MILETRIE - Poitiers) - (A1, B1, CRSC)", as the seed's finder shows."""
        label = f"{self.title} ({self.establishment.name} - {self.establishment.town})"
        codes = [tag.code for tag in self.tags.all()]
        return f"{label} - ({', '.join(codes)})" if codes else label


class RcpMember(models.Model):
    """A professional of the directory who takes part in an RCP."""

    rcp = models.ForeignKey(Rcp, on_delete=models.CASCADE, related_name="members")
    professional = models.ForeignKey(
        Professional, verbose_name="professionnel", on_delete=models.PROTECT, related_name="rcp_memberships"
    )
    role = models.CharField("rôle", max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    specialty = models.ForeignKey(
        Specialty, verbose_name="spécialité au sein de la RCP", on_delete=models.PROTECT, null=True, blank=True
    )
    is_fixed_participant = models.BooleanField("participant permanent", default=True)

    class Meta:
        verbose_name = "membre de RCP"
        verbose_name_plural = "membres de RCP"
        ordering = ["professional__last_name", "professional__first_name"]
        constraints = [models.UniqueConstraint(fields=["rcp", "professional"], name="unique_rcp_member")]

    def __str__(self) -> str:
        return f"{self.professional} — {self.rcp}"


class Recurrence(models.Model):
    """When an RCP meets: every N weeks on a weekday, or the Nth weekday of each month."""

    rcp = models.ForeignKey(Rcp, on_delete=models.CASCADE, related_name="recurrences")
    kind = models.CharField("périodicité", max_length=10, choices=RecurrenceKind.choices)
    interval_weeks = models.PositiveSmallIntegerField("toutes les … semaines", default=1)
    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    week_of_month = models.SmallIntegerField("semaine du mois", choices=WeekOfMonth.choices, null=True, blank=True)
    start_time = models.TimeField("heure de début")
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", default=90)
    start_date = models.DateField("à partir du")
    end_date = models.DateField("jusqu'au", null=True, blank=True)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "récurrence"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_weeks__gte=1, interval_weeks__lte=12), name="recurrence_interval_range"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=RecurrenceKind.MONTHLY) | models.Q(week_of_month__isnull=False),
                name="recurrence_monthly_needs_week",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="recurrence_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15, duration_minutes__lte=720),
                name="recurrence_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        day = Weekday(self.weekday).label
        hour = self.start_time.strftime("%Hh%M")
        if self.kind == RecurrenceKind.MONTHLY:
            return f"Le {WeekOfMonth(self.week_of_month).label} {day} du mois à {hour}"
        if self.interval_weeks == 1:
            return f"Chaque {day} à {hour}"
        return f"Un {day} toutes les {self.interval_weeks} semaines à {hour}"


class SessionQuerySet(models.QuerySet):
    def not_cancelled(self):
        return self.exclude(status=SessionStatus.CANCELLED)


class Session(models.Model):
    """One meeting of an RCP. Dossiers are registered to a session (next step of the RCP work)."""

    rcp = models.ForeignKey(Rcp, on_delete=models.PROTECT, related_name="sessions")
    recurrence = models.ForeignKey(
        Recurrence, on_delete=models.SET_NULL, related_name="sessions", null=True, blank=True
    )
    # The date the recurrence produced: kept when the session is moved, so generation stays idempotent.
    occurrence_date = models.DateField(null=True, blank=True)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    place = models.CharField("lieu", max_length=200, blank=True)
    video_link = models.URLField("lien de visioconférence", blank=True)
    status = models.CharField("statut", max_length=12, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    is_extra = models.BooleanField("séance supplémentaire", default=False)
    cancel_reason = models.TextField("motif d'annulation", blank=True)
    # The dossier being discussed during the live session (followed by the other participants).
    current_dossier = models.ForeignKey(
        "Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="dossier en cours"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "séance"
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["rcp", "starts_at"]), models.Index(fields=["starts_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recurrence", "occurrence_date"], name="unique_session_per_occurrence"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after"),
            models.CheckConstraint(
                condition=~models.Q(status=SessionStatus.CANCELLED) | ~models.Q(cancel_reason=""),
                name="session_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rcp} — {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def registration_deadline(self) -> datetime.date:
        """Last day on which a doctor may register a dossier (later: the 3C secretary only)."""
        return timezone.localtime(self.starts_at).date() - datetime.timedelta(days=self.rcp.registration_deadline_days)

    @property
    def effective_video_link(self) -> str:
        return self.video_link or self.rcp.video_link

    @property
    def effective_place(self) -> str:
        return self.place or self.rcp.default_place


class SessionTransition(models.Model):
    """The log of a session's status changes (and of its moves, where the status stays the same)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=SessionStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=SessionStatus.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "historique de séance"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.from_status or '∅'} → {self.to_status}"


class Attendance(models.Model):
    """Who attended a session, and how (feeds quorum, certificates and indemnification reports)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="rcp_attendances")
    specialty = models.ForeignKey(
        Specialty, verbose_name="spécialité", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mode = models.CharField("présence", max_length=10, choices=AttendanceMode.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "présence"
        constraints = [models.UniqueConstraint(fields=["session", "professional"], name="unique_attendance")]

    def __str__(self) -> str:
        return f"{self.professional} — {self.get_mode_display()}"


class CalendarFeed(models.Model):
    """The secret of a user's personal ICS feed (their RCP sessions)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rcp_calendar")
    token = models.CharField(max_length=64, unique=True, default=new_token)

    class Meta:
        verbose_name = "flux agenda"

    def __str__(self) -> str:
        return f"agenda de {self.user}"


class CodeListEntry(models.Model):
    """One concept of a national value set (JDV) used by the fiche RCP, loaded by ``load_value_sets``."""

    value_set_oid = models.CharField("OID du jeu de valeurs", max_length=64)
    value_set_name = models.CharField("jeu de valeurs", max_length=100)
    code = models.CharField("code", max_length=40)
    code_system = models.CharField("système de codage", max_length=64)
    label = models.CharField("libellé", max_length=500)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "code de jeu de valeurs"
        verbose_name_plural = "codes de jeux de valeurs"
        ordering = ["value_set_name", "position"]
        constraints = [
            models.UniqueConstraint(fields=["value_set_oid", "code_system", "code"], name="unique_code_in_value_set")
        ]
        indexes = [
            models.Index(fields=["value_set_name", "code"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


# --- Dossiers (demandes d'avis) and fiches RCP ----------------------------------------------


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
        indexes = [models.Index(fields=["session", "position"]), models.Index(fields=["patient", "-created_at"])]

    def __str__(self) -> str:
        return f"Dossier {self.pk} — {self.session}"


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
