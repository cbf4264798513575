"""The RCP catalogue (mentions, tags, RCPs, members and quorum rule), the agenda (recurrences, sessions and their
transition log), attendance, calendar feeds and the code lists of the fiche."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from dcc.directory.models import Establishment, Professional, Specialty, ThreeC
from rcp.enums import (
    AttendanceMode,
    MemberRole,
    Nature,
    RecurrenceKind,
    SessionStatus,
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
    def is_past_registration_deadline(self) -> bool:
        """Today is after the deadline: only the 3C secretary may still register a dossier (marked late)."""
        return timezone.localdate() > self.registration_deadline

    @property
    def effective_video_link(self) -> str:
        return self.video_link or self.rcp.video_link

    @property
    def effective_place(self) -> str:
        return self.place or self.rcp.default_place

    # The status as the templates ask it (no raw enum value in a template).
    @property
    def is_planned(self) -> bool:
        return self.status == SessionStatus.PLANNED

    @property
    def is_open(self) -> bool:
        return self.status == SessionStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == SessionStatus.CLOSED

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def accepts_dossiers(self) -> bool:
        """Planned or open: dossiers may still be registered (deadline and capacity aside)."""
        return self.status in (SessionStatus.PLANNED, SessionStatus.OPEN)


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
